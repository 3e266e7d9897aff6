package io.tonegate.presence;

import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("the presence poller against a local fake presence API: one owner, takeover, 429, encrypted tokens")
class PresencePollerTest {

  private Vertx vertx;
  private FakePresenceApi api;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    api = FakePresenceApi.start(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    api.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private JsonObject presenceConfig(String grant, String interval) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new JsonObject()
        .put("debounceWindow", "0ms")
        .put("lease", new JsonObject().put("ttl", "1500ms"))
        .put("poller", new JsonObject()
            .put("enabled", true)
            .put("baseUrl", api.baseUrl())
            .put("tokenUrl", api.tokenUrl())
            .put("grant", grant)
            .put("clientId", FakePresenceApi.CLIENT_ID)
            .put("clientSecret", FakePresenceApi.CLIENT_SECRET)
            .put("encryptionKey", Base64.getEncoder().encodeToString(key))
            .put("interval", interval)
            .put("maxRetryAfter", "10s"));
  }

  private TestGateway gateway(String prefix, JsonObject presence) {
    TestGateway gateway = PresenceTesting.gateway(prefix, presence);
    closing.add(gateway);
    return gateway;
  }

  private HttpResponse<Buffer> register(TestGateway gateway, String user, JsonObject body) throws Exception {
    WebClient http = gateway.webClient(vertx);
    String path = "/api/presence/poll/users/" + user;
    HttpResponse<Buffer> response = PresenceTesting.signed(http.put(path), "PUT", path, body.encode(), gateway)
        .sendBuffer(Buffer.buffer(body.encode())).await(10, TimeUnit.SECONDS);
    http.close();
    return response;
  }

  private static TestGateway leaderOf(TestGateway... gateways) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (TestGateway gateway : gateways) {
        if (PresenceTesting.module(gateway).leader()) {
          return gateway;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no instance took the presence lease");
  }

  @Test
  @DisplayName("one instance polls; changes are published to subscribers; when it stops the other takes over")
  void pollsAndTakesOver() throws Exception {
    String prefix = PresenceTesting.newPrefix();
    JsonObject config = presenceConfig("client_credentials", "300ms");
    TestGateway a = gateway(prefix, config);
    TestGateway b = gateway(prefix, config);
    String user = "polled-" + UUID.randomUUID();
    String remote = "graph-" + UUID.randomUUID();
    api.set(remote, "Available", "Available");
    assertThat(register(a, user, new JsonObject().put("remoteId", remote)).statusCode()).isEqualTo(204);

    TestGateway leader = leaderOf(a, b);
    TestGateway other = leader == a ? b : a;
    assertThat(PresenceTesting.module(other).leader()).as("exactly one owner").isFalse();
    String token = PresenceTesting.newIdentity(vertx, other, TokenScope.PRESENCE_READ).token();
    PresenceClient sub = PresenceClient.connect(vertx, other, token, null);
    closing.add(sub);
    sub.subscribe(List.of(user), Map.of());
    sub.await(f -> "Available".equals(f.getString("availability")) && f.getLong("version") >= 1);

    api.set(remote, "Busy", "InACall");
    JsonObject busy = sub.await(f -> "presence".equals(f.getString("type")) && "Busy".equals(f.getString("availability")));
    assertThat(busy.getString("source")).isEqualTo("poll");
    int hitsBefore = api.hitsFor(remote).size();
    List<Long> changesBefore = sub.changeVersions(user);
    Thread.sleep(1000); // several intervals: unchanged presence must not be republished
    assertThat(api.hitsFor(remote).size()).as("still polling: %s", api.hits).isGreaterThan(hitsBefore);
    assertThat(sub.changeVersions(user)).as("unchanged polls publish nothing").isEqualTo(changesBefore);

    leader.close();
    assertThat(leaderOf(other)).isSameAs(other);
    api.set(remote, "Away", "Away");
    JsonObject away = sub.await(f -> "presence".equals(f.getString("type")) && "Away".equals(f.getString("availability")));
    assertThat(away.getLong("version")).isEqualTo(busy.getLong("version") + 1);
  }

  @Test
  @DisplayName("a 429 pauses polling for its Retry-After; requests are spread over the interval")
  void honoursRetryAfterAndSpreads() throws Exception {
    TestGateway gateway = gateway(PresenceTesting.newPrefix(), presenceConfig("client_credentials", "800ms"));
    List<String> remotes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String remote = "spread-" + i + "-" + UUID.randomUUID();
      remotes.add(remote);
      api.set(remote, "Available", "Available");
      assertThat(register(gateway, "u" + i + "-" + UUID.randomUUID(), new JsonObject().put("remoteId", remote))
          .statusCode()).isEqualTo(204);
    }
    leaderOf(gateway);
    // Two full cycles, then a throttled response.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (api.hits.size() < 8 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    List<FakePresenceApi.Hit> spread = List.copyOf(api.hits);
    for (int i = 1; i < spread.size(); i++) {
      assertThat(spread.get(i).atMs() - spread.get(i - 1).atMs()).as("requests 800 ms / 4 users apart")
          .isGreaterThanOrEqualTo(190);
    }
    api.retryAfterSeconds = 2;
    api.throttleNext.set(1);
    while (api.hits.stream().noneMatch(h -> h.status() == 429) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    FakePresenceApi.Hit throttled = api.hits.stream().filter(h -> h.status() == 429).findFirst().orElseThrow();
    while (api.hits.indexOf(throttled) == api.hits.size() - 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    FakePresenceApi.Hit next = api.hits.get(api.hits.indexOf(throttled) + 1);
    assertThat(next.atMs() - throttled.atMs()).as("no request during Retry-After").isGreaterThanOrEqualTo(2000);
    assertThat(next.remoteId()).as("the throttled user is retried first").isEqualTo(throttled.remoteId());
    assertThat(gateway.gateway().context().registry().find("tonegate.presence.poller.requests").tag("status", "429")
        .counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("refresh-token grant: the token is stored encrypted, used, and a rotated one replaces it")
  void refreshTokensEncrypted() throws Exception {
    String prefix = PresenceTesting.newPrefix();
    TestGateway gateway = gateway(prefix, presenceConfig("refresh_token", "300ms"));
    String user = "rt-" + UUID.randomUUID();
    api.set(user, "DoNotDisturb", "Presenting");
    assertThat(register(gateway, user, new JsonObject().put("refreshToken", "rt-original-secret")).statusCode())
        .isEqualTo(204);
    Redis redis = Redis.createClient(vertx, TestRedis.shared().url());
    String stored = redis.send(Request.cmd(Command.HGET).arg(prefix + "presence:poll:users").arg(user))
        .await(10, TimeUnit.SECONDS).toString();
    assertThat(stored).doesNotContain("rt-original-secret").contains("\"refreshToken\":\"v1:");

    leaderOf(gateway);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (api.hitsFor(user).stream().noneMatch(h -> h.status() == 200) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(api.refreshTokensUsed).startsWith("rt-original-secret");
    String rotated = redis.send(Request.cmd(Command.HGET).arg(prefix + "presence:poll:users").arg(user))
        .await(10, TimeUnit.SECONDS).toString();
    assertThat(rotated).isNotEqualTo(stored).doesNotContain("rt-rotated");
    WebClient http = gateway.webClient(vertx);
    String reader = PresenceTesting.newIdentity(vertx, gateway, TokenScope.PRESENCE_READ).token();
    JsonObject state = http.get("/api/presence/" + user).bearerTokenAuthentication(reader).send()
        .await(10, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(state.getString("availability")).isEqualTo("DoNotDisturb");
    assertThat(state.getString("source")).isEqualTo("poll");

    String path = "/api/presence/poll/users";
    JsonObject listed = PresenceTesting.signed(http.get(path), "GET", path, "", gateway).send()
        .await(10, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(listed.encode()).contains(user).doesNotContain("rt-original", "rt-rotated");
    http.close();
    redis.close();
  }
}
