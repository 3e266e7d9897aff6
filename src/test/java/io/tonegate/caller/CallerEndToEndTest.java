package io.tonegate.caller;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.media.AudioFormat;
import io.tonegate.media.DevMediaKey;
import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.session.SessionApiClient;
import io.tonegate.simulator.CallerSimulator;
import io.tonegate.simulator.CallerSimulator.Outcome;
import io.tonegate.simulator.CallerSimulator.Result;
import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Caller authentication end to end: a real gateway (HTTPS/WSS, two event loops, real Redis), session keys stored
 * through the signed API, and the simulator as the caller, dialing in-band DTMF on the media WebSocket and learning
 * the outcome from the tones the gateway plays back.
 */
class CallerEndToEndTest {

  static final AcsAccessKey KEY = AcsAccessKey.generate(new SecureRandom());
  /** Instances sharing a Redis share the session secret (key and caller-number digests must agree). */
  static final String SECRET = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k');
  static TestGateway gateway;
  static Vertx vertx;
  static WebClient web;
  static SessionApiClient api;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(config());
    vertx = Vertx.vertx();
    web = gateway.webClient(vertx);
    api = SessionApiClient.withAccessKey(web, URI.create(gateway.baseUrl()), KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  static JsonObject config() {
    return new JsonObject().put("accessKey", KEY.toBase64())
        .put("session", new JsonObject().put("keySecret", SECRET))
        .put("caller", new JsonObject().put("firstDigitTimeout", "5s"))
        .put("rateLimits", new JsonObject().put("perAni", new JsonObject().put("limit", 4).put("window", "10m")));
  }

  static String uniqueAni() {
    return "+1555" + (1_000_000 + new SecureRandom().nextInt(8_999_999));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }

  /** Registers a simulated call (its record) and returns its call connection id. */
  static String newCall(SessionApiClient client, JsonObject call) throws Exception {
    return await(client.createSimulatedCall(call)).getString("callConnectionId");
  }

  static Result dial(TestGateway target, String callConnectionId, List<String> codes) throws Exception {
    String token = DevMediaKey.load(target.gateway().context().config().server().dataDir()).orElseThrow()
        .signMediaToken(AcsEmulator.ACS_ISSUER, "tonegate-dev-acs-resource", Duration.ofHours(1));
    CallerSimulator simulator = new CallerSimulator(vertx, target.webSocketOptions());
    return await(simulator.run(new CallerSimulator.Options(URI.create("wss://localhost:" + target.port() + "/ws/media"),
        callConnectionId, token, AudioFormat.PCM_16K, codes, Duration.ofSeconds(20), null)));
  }

  static Result pstnCall(String ani, List<String> codes) throws Exception {
    return dial(gateway, newCall(api, new JsonObject().put("flow", "pstn").put("ani", ani)), codes);
  }

  @Test
  @DisplayName("PSTN: the right code dialed in-band authenticates; the caller hears the accepted tone")
  void pstnAuthenticates() throws Exception {
    String ani = uniqueAni();
    await(api.storeKey("pstn:" + ani + ":823", new JsonObject().put("who", "alice"), Duration.ofMinutes(5), false));
    Result result = pstnCall(ani, List.of("823"));
    assertThat(result.outcome()).isEqualTo(Outcome.AUTHENTICATED);
    assertThat(result.heard()).containsExactly(OutcomeTone.ACCEPTED);
    assertThat(result.outcome().exitCode()).isZero();
  }

  @Test
  @DisplayName("a wrong code, the try-again prompt, then the right code authenticates")
  void wrongThenRight() throws Exception {
    String ani = uniqueAni();
    await(api.storeKey("pstn:" + ani + ":4711", new JsonObject(), Duration.ofMinutes(5), false));
    Result result = pstnCall(ani, List.of("1234", "4711"));
    assertThat(result.outcome()).isEqualTo(Outcome.AUTHENTICATED);
    assertThat(result.heard()).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.ACCEPTED);
  }

  @Test
  @DisplayName("three wrong codes reject the call; the next call of that number is locked out by the per-number limit")
  void rejectThenLockout() throws Exception {
    String ani = uniqueAni();
    await(api.storeKey("pstn:" + ani + ":4711", new JsonObject(), Duration.ofMinutes(5), false));
    Result rejected = pstnCall(ani, List.of("111", "222", "333"));
    assertThat(rejected.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(rejected.heard()).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.TRY_AGAIN, OutcomeTone.REJECTED);
    assertThat(rejected.outcome().exitCode()).isEqualTo(3);
    Result locked = pstnCall(ani, List.of("999", "4711"));
    assertThat(locked.outcome()).isEqualTo(Outcome.LOCKED_OUT); // attempts 4 (wrong) and 5 (over the limit of 4)
    assertThat(locked.heard()).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.LOCKED_OUT);
  }

  @Test
  @DisplayName("an expired key does not authenticate")
  void expired() throws Exception {
    String ani = uniqueAni();
    // The API's minimum TTL is 10 s; a key stored with it is gone after 11 s.
    await(api.storeKey("pstn:" + ani + ":823", new JsonObject(), Duration.ofSeconds(10), false));
    Thread.sleep(11_000);
    Result result = pstnCall(ani, List.of("823"));
    assertThat(result.outcome()).isEqualTo(Outcome.NO_MORE_CODES);
    assertThat(result.heard()).containsExactly(OutcomeTone.TRY_AGAIN);
  }

  @Test
  @DisplayName("a consumed code cannot be replayed by another call")
  void replay() throws Exception {
    String ani = uniqueAni();
    await(api.storeKey("pstn:" + ani + ":823", new JsonObject(), Duration.ofMinutes(5), false));
    assertThat(pstnCall(ani, List.of("823")).outcome()).isEqualTo(Outcome.AUTHENTICATED);
    assertThat(pstnCall(ani, List.of("823")).outcome()).isEqualTo(Outcome.NO_MORE_CODES);
  }

  @Test
  @DisplayName("two calls racing for one key: exactly one is authenticated")
  void race() throws Exception {
    String ani = uniqueAni();
    await(api.storeKey("pstn:" + ani + ":823", new JsonObject(), Duration.ofMinutes(5), false));
    String a = newCall(api, new JsonObject().put("flow", "pstn").put("ani", ani));
    String b = newCall(api, new JsonObject().put("flow", "pstn").put("ani", ani));
    String token = DevMediaKey.load(gateway.gateway().context().config().server().dataDir()).orElseThrow()
        .signMediaToken(AcsEmulator.ACS_ISSUER, "tonegate-dev-acs-resource", Duration.ofHours(1));
    CallerSimulator simulator = new CallerSimulator(vertx, gateway.webSocketOptions());
    URI url = URI.create("wss://localhost:" + gateway.port() + "/ws/media");
    Future<Result> first = simulator.run(new CallerSimulator.Options(url, a, token, AudioFormat.PCM_16K,
        List.of("823"), Duration.ofSeconds(20), null));
    Future<Result> second = simulator.run(new CallerSimulator.Options(url, b, token, AudioFormat.PCM_16K,
        List.of("823"), Duration.ofSeconds(20), null));
    await(Future.all(first, second));
    assertThat(List.of(first.result().outcome(), second.result().outcome()))
        .containsExactlyInAnyOrder(Outcome.AUTHENTICATED, Outcome.NO_MORE_CODES);
  }

  @Test
  @DisplayName("SIP flow: the SIP Call-ID key authenticates without a code; API flow: the acs: key does")
  void sipAndApiFlows() throws Exception {
    String sipCallId = UUID.randomUUID() + "@sbc.example.com";
    await(api.storeKey("sip:" + sipCallId, new JsonObject(), Duration.ofMinutes(5), false));
    String sipCall = newCall(api, new JsonObject().put("flow", "sip").put("sipCallId", sipCallId));
    Result sip = dial(gateway, sipCall, List.of());
    assertThat(sip.outcome()).isEqualTo(Outcome.AUTHENTICATED);

    String apiCall = UUID.randomUUID().toString();
    await(api.storeKey("acs:" + apiCall, new JsonObject(), Duration.ofMinutes(5), false));
    newCall(api, new JsonObject().put("flow", "api").put("callConnectionId", apiCall));
    assertThat(dial(gateway, apiCall, List.of()).outcome()).isEqualTo(Outcome.AUTHENTICATED);

    String unknownApiCall = newCall(api, new JsonObject().put("flow", "api"));
    assertThat(dial(gateway, unknownApiCall, List.of()).outcome()).isEqualTo(Outcome.REJECTED);
  }

  @Test
  @DisplayName("the per-number limit holds across two gateway instances sharing one Redis")
  void perNumberLimitAcrossInstances() throws Exception {
    try (TestGateway other = TestGateway.start(config())) {
      String ani = uniqueAni();
      assertThat(other.port()).isNotEqualTo(gateway.port());
      int locked = 0;
      int attempts = 0;
      for (int call = 0; call < 3 && locked == 0; call++) {
        TestGateway target = call % 2 == 0 ? gateway : other;
        SessionApiClient client = SessionApiClient.withAccessKey(target.webClient(vertx),
            URI.create(target.baseUrl()), KEY);
        Result result = dial(target, newCall(client, new JsonObject().put("flow", "pstn").put("ani", ani)),
            List.of("101", "102"));
        attempts += result.heard().size();
        if (result.outcome() == Outcome.LOCKED_OUT) {
          locked++;
        }
      }
      // Limit 4: calls 1 and 2 (on different instances) make 4 wrong attempts; the 5th attempt is locked out.
      assertThat(locked).isEqualTo(1);
      assertThat(attempts).isEqualTo(5);
    }
  }

  @Test
  @DisplayName("Redis stopped mid-call: the caller is not authenticated and hears try again; once Redis is back the next attempt succeeds")
  void redisOutage() throws Exception {
    EmbeddedRedis redis = TestRedis.startDedicated();
    try (TestGateway isolated = TestGateway.start(config().put("redis", new JsonObject().put("url", redis.url())))) {
      SessionApiClient client = SessionApiClient.withAccessKey(isolated.webClient(vertx),
          URI.create(isolated.baseUrl()), KEY);
      String ani = uniqueAni();
      await(client.storeKey("pstn:" + ani + ":823", new JsonObject(), Duration.ofMinutes(5), false));
      String call = newCall(client, new JsonObject().put("flow", "pstn").put("ani", ani));
      String token = DevMediaKey.load(isolated.gateway().context().config().server().dataDir()).orElseThrow()
          .signMediaToken(AcsEmulator.ACS_ISSUER, "tonegate-dev-acs-resource", Duration.ofHours(1));
      CallerSimulator simulator = new CallerSimulator(vertx, isolated.webSocketOptions());
      List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
      Future<Result> running = simulator.run(new CallerSimulator.Options(
          URI.create("wss://localhost:" + isolated.port() + "/ws/media"), call, token, AudioFormat.PCM_16K,
          List.of("823", "823"), Duration.ofSeconds(30), line -> {
            log.add(line);
            if (line.startsWith("heard TRY_AGAIN")) {
              redis.restart(); // Redis returns while the caller listens to the prompt
            }
          }));
      // Stop Redis once the call is collecting (its record was read at the start of the stream).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (log.stream().noneMatch(l -> l.startsWith("dialing")) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(150);
      redis.stop();
      Result result = await(running);
      assertThat(result.heard()).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.ACCEPTED);
      assertThat(result.outcome()).isEqualTo(Outcome.AUTHENTICATED);
      String metrics = await(isolated.webClient(vertx).get("/metrics").send()).bodyAsString();
      assertThat(metrics).contains("tonegate_caller_attempts_total{flow=\"pstn\",outcome=\"unavailable\"} 1.0");
    } finally {
      redis.stop();
    }
  }
}
