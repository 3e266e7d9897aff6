package io.tonegate.gateway;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmac;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.media.AudioFormat;
import io.tonegate.media.DevMediaKey;
import io.tonegate.session.SessionApiClient;
import io.tonegate.simulator.AcsMediaClient;
import io.tonegate.testing.GatewayProcess;
import io.tonegate.testing.RespClient;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway processes on one Redis; the one holding a call, a presence subscriber and the presence lease is
 * SIGKILLed. The other keeps serving, the subscriber reconnects to it and catches up by version, the lease moves,
 * and the call's media reconnects to it and authenticates with the key stored before the crash.
 */
@DisplayName("a gateway instance SIGKILLed while it holds a call, a presence subscriber and the presence lease")
class GatewayCrashTest {

  private static final AcsAccessKey KEY = AcsAccessKey.generate(new SecureRandom());
  private static final String LEASE_TTL = "3s";

  private final Vertx vertx = Vertx.vertx();
  private final List<GatewayProcess> processes = new ArrayList<>();

  /** On a failure, the gateways' own last log lines (they run in other JVMs, so surefire does not show them). */
  @RegisterExtension
  final TestWatcher printGatewayOutput = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      for (GatewayProcess process : processes) {
        List<String> out = process.output();
        System.out.println("[resilience] last lines of " + process + ":\n  "
            + String.join("\n  ", out.subList(Math.max(0, out.size() - 40), out.size())));
      }
    }
  };

  @AfterEach
  void tearDown() throws Exception {
    processes.forEach(GatewayProcess::kill);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the survivor serves on; the subscriber catches up by version on it; the lease moves within its TTL; the call authenticates on it")
  void survivorTakesOver() throws Exception {
    String prefix = "crash" + UUID.randomUUID().toString().substring(0, 8) + ":";
    Path dataDir = TestRedis.dataRoot().resolve("crash-" + UUID.randomUUID());
    Map<String, String> env = Map.of(
        "TONEGATE_INSTANCES", "1",
        "TONEGATE_REDIS_URL", TestRedis.shared().url(),
        "TONEGATE_REDIS_KEY_PREFIX", prefix,
        "TONEGATE_ACCESS_KEY", KEY.toBase64(),
        // one deployment: every instance mints and accepts tokens of the same issuer (as behind a load balancer)
        "TONEGATE_IDENTITY_ISSUER", "https://tonegate.test/",
        "TONEGATE_PRESENCE_DEBOUNCE_WINDOW", "0ms",
        "TONEGATE_PRESENCE_LEASE_TTL", LEASE_TTL,
        "TONEGATE_MEDIA_ACS_JWKS_URL", "");
    String leaseKey = prefix + "presence:lease";

    GatewayProcess a = start("A", dataDir, env);
    awaitTrue("A takes the presence lease", () -> RespClient.call(TestRedis.shared().port(), "GET", leaseKey) != null);
    String leaseOfA = (String) RespClient.call(TestRedis.shared().port(), "GET", leaseKey);
    GatewayProcess b = start("B", dataDir, env);
    WebClient httpA = WebClient.create(vertx, a.webClientOptions());
    WebClient httpB = WebClient.create(vertx, b.webClientOptions());

    // --- presence: a subscriber on A, changes made through B reach it ---
    String reader = signed(httpB, HttpMethod.POST, "/identities?api-version=2023-10-01",
        new JsonObject().put("createTokenWithScopes", new JsonArray().add("presence.read")).encode())
        .bodyAsJsonObject().getJsonObject("accessToken").getString("token");
    String u1 = "u-" + UUID.randomUUID();
    String u2 = "u-" + UUID.randomUUID();
    Subscriber onA = Subscriber.connect(vertx, a, reader);
    onA.subscribe(List.of(u1, u2), new JsonObject());
    putPresence(httpB, u1, "Busy", "InACall");
    putPresence(httpB, u2, "Away", "Away");
    long v1 = onA.awaitChange(u1, -1).getLong("version");
    long v2 = onA.awaitChange(u2, -1).getLong("version");

    // --- a call in progress on A: record, stored key, media stream open ---
    SessionApiClient apiB = SessionApiClient.withAccessKey(httpB, URI.create(b.baseUrl()), KEY);
    String ani = "+1555" + String.format("%07d", (long) (Math.random() * 10_000_000));
    JsonObject call = apiB.createSimulatedCall(new JsonObject().put("flow", "pstn").put("ani", ani))
        .await(10, TimeUnit.SECONDS);
    String callId = call.getString("callConnectionId");
    apiB.storeKey("pstn:" + ani + ":482910", new JsonObject().put("who", "caller"), Duration.ofMinutes(5), false)
        .await(10, TimeUnit.SECONDS);
    String mediaToken = DevMediaKey.load(dataDir).orElseThrow()
        .signMediaToken("https://acscallautomation.communication.azure.com", "tonegate-dev-acs-resource",
            Duration.ofMinutes(10));
    AcsMediaClient mediaOnA = AcsMediaClient.connect(vertx, a.webSocketOptions(), new AcsMediaClient.Target(
        URI.create("wss://localhost:" + a.port() + "/ws/media"), callId, call.getString("correlationId"),
        mediaToken)).await(10, TimeUnit.SECONDS);
    mediaOnA.sendMetadata(AudioFormat.PCM_16K).await(10, TimeUnit.SECONDS);
    List<JsonObject> outcomes = callerOutcomes(prefix);

    // --- the crash ---
    a.kill();
    long killedAt = System.nanoTime();

    // B serves at once: readiness, and a presence change made while A is gone
    assertThat(httpB.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    putPresence(httpB, u2, "Busy", "InAMeeting");

    // the subscriber notices, reconnects to B with its last versions, and gets exactly what it missed
    onA.awaitClosed();
    Subscriber onB = Subscriber.connect(vertx, b, reader);
    onB.subscribe(List.of(u1, u2), new JsonObject().put(u1, v1).put(u2, v2));
    JsonObject missed = onB.await(f -> "snapshot".equals(f.getString("type")) && u2.equals(f.getString("user")));
    assertThat(missed.getLong("version")).isGreaterThan(v2);
    assertThat(onB.frames.stream().filter(f -> "snapshot".equals(f.getString("type")) && u1.equals(f.getString("user"))))
        .as("no snapshot for the user that did not change").isEmpty();
    putPresence(httpB, u1, "Available", "Available");
    onB.awaitChange(u1, v1);

    // the lease moves to B within its TTL (plus B's renewal period)
    awaitTrue("B takes the lease", () -> {
      Object holder = RespClient.call(TestRedis.shared().port(), "GET", leaseKey);
      return holder != null && !holder.equals(leaseOfA);
    });
    long leaseMovedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

    // the call: ACS reconnects its media to the surviving instance; the key stored before the crash authenticates
    assertThat(mediaOnA.closed().await(10, TimeUnit.SECONDS)).isNotEqualTo(1000);
    AcsMediaClient mediaOnB = AcsMediaClient.connect(vertx, b.webSocketOptions(), new AcsMediaClient.Target(
        URI.create("wss://localhost:" + b.port() + "/ws/media"), callId, call.getString("correlationId"),
        mediaToken)).await(10, TimeUnit.SECONDS);
    mediaOnB.sendMetadata(AudioFormat.PCM_16K).await(10, TimeUnit.SECONDS);
    for (char digit : "482910#".toCharArray()) {
      mediaOnB.sendDtmf(digit).await(10, TimeUnit.SECONDS);
    }
    awaitTrue("the call authenticates on B", () -> outcomes.stream()
        .anyMatch(e -> callId.equals(e.getString("callConnectionId")) && "accepted".equals(e.getString("outcome"))));
    System.out.printf("[resilience] gateway SIGKILL: lease moved after %d ms; subscriber caught up on the survivor; "
        + "call authenticated on the survivor%n", leaseMovedMs);
  }

  private GatewayProcess start(String name, Path dataDir, Map<String, String> env) {
    GatewayProcess process = GatewayProcess.start(name, dataDir, env);
    processes.add(process);
    return process;
  }

  /** Caller outcome events of this deployment, collected from Redis pub/sub. */
  private List<JsonObject> callerOutcomes(String prefix) throws Exception {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Redis redis = Redis.createClient(vertx, TestRedis.shared().url());
    RedisConnection connection = redis.connect().await(10, TimeUnit.SECONDS);
    connection.handler(message -> {
      if (message.size() >= 3 && "message".equals(message.get(0).toString())) {
        events.add(new JsonObject(message.get(2).toString()));
      }
    });
    connection.send(Request.cmd(Command.SUBSCRIBE).arg(prefix + "call-events")).await(10, TimeUnit.SECONDS);
    return events;
  }

  private static HttpResponse<Buffer> signed(WebClient http, HttpMethod method, String uri, String body)
      throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    var request = http.request(method, uri);
    new AcsHmacSigner(KEY, Clock.systemUTC()).sign(method.name(), uri, "localhost", AcsHmac.contentHash(bytes),
        Instant.now()).asMap().forEach(request::putHeader);
    HttpResponse<Buffer> response = request.sendBuffer(Buffer.buffer(bytes)).await(20, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(method + " " + uri + ": " + response.bodyAsString()).isBetween(200, 299);
    return response;
  }

  private static void putPresence(WebClient http, String user, String availability, String activity)
      throws Exception {
    signed(http, HttpMethod.PUT, "/api/presence/" + user,
        new JsonObject().put("availability", availability).put("activity", activity).encode());
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  /** A minimal /ws/presence client: records frames, answers nothing. */
  private static final class Subscriber {
    final WebSocketClient client;
    final WebSocket socket;
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    private Subscriber(WebSocketClient client, WebSocket socket) {
      this.client = client;
      this.socket = socket;
    }

    static Subscriber connect(Vertx vertx, GatewayProcess gateway, String token) throws Exception {
      WebSocketClient client = vertx.createWebSocketClient(gateway.webSocketOptions());
      WebSocket socket = client.connect(new WebSocketConnectOptions().setURI("/ws/presence")
          .addHeader("Authorization", "Bearer " + token)).await(10, TimeUnit.SECONDS);
      Subscriber subscriber = new Subscriber(client, socket);
      socket.textMessageHandler(text -> subscriber.frames.add(new JsonObject(text)));
      socket.closeHandler(v -> subscriber.closed = true);
      socket.exceptionHandler(e -> subscriber.closed = true);
      return subscriber;
    }

    void subscribe(List<String> users, JsonObject versions) throws Exception {
      String id = "s" + System.nanoTime();
      socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", id)
          .put("users", new JsonArray(users)).put("versions", versions).encode()).await(10, TimeUnit.SECONDS);
      await(f -> "subscribed".equals(f.getString("type")) && id.equals(f.getString("id")));
    }

    /** The first change frame of {@code user} with a version above {@code after}. */
    JsonObject awaitChange(String user, long after) throws InterruptedException {
      return await(f -> "presence".equals(f.getString("type")) && user.equals(f.getString("user"))
          && f.getLong("version") > after);
    }

    JsonObject await(Predicate<JsonObject> match) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        for (JsonObject frame : frames) {
          if (match.test(frame)) {
            return frame;
          }
        }
        Thread.sleep(5);
      }
      throw new AssertionError("no matching frame within 15 s; got " + frames);
    }

    void awaitClosed() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!closed && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(closed).as("the subscriber noticed its gateway died").isTrue();
    }
  }
}
