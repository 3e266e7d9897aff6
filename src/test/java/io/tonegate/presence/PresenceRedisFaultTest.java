package io.tonegate.presence;

import io.tonegate.identity.TokenScope;
import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisSentinelHarness;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence subscriptions through Redis faults, with real redis-server 7 processes: the subscription connection
 * reconnects by itself, re-subscribes, and catches its subscribers up by version on what was published while it was
 * away; stored presence survives the restart or failover.
 */
@DisplayName("presence through Redis faults: restart, dropped subscription connection, Sentinel failover")
class PresenceRedisFaultTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (int i = resources.size() - 1; i >= 0; i--) { // clients, then gateways, then Redis processes
        resources.get(i).close();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  private TestGateway gateway(JsonObject redis, JsonObject presence) {
    return closeLater(TestGateway.start(new JsonObject()
        .put("accessKey", PresenceTesting.ACCESS_KEY)
        .put("identity", new JsonObject().put("issuer", "https://tonegate.test/"))
        .put("redis", redis.put("readyTimeout", "300ms"))
        .put("presence", presence.put("debounceWindow", "0ms"))));
  }

  private RedisProcess standalone(String name) {
    return closeLater(RedisProcess.startServer(name, RedisTopology.freshDir(name), RedisProcess.freePort(), List.of()));
  }

  @Test
  @DisplayName("standalone Redis SIGKILLed and restarted on its AOF: PUT is 503 meanwhile, /ready follows, the subscription comes back by itself and the next change arrives with the next version; no gateway restart")
  void standaloneRestart() throws Exception {
    RedisProcess server = standalone("presence-restart");
    String prefix = PresenceTesting.newPrefix();
    TestGateway gateway = gateway(new JsonObject().put("url", server.url()).put("keyPrefix", prefix),
        new JsonObject());
    WebClient http = gateway.webClient(vertx);
    String user = PresenceFanoutTest.user();
    PresenceClient subscriber = closeLater(PresenceClient.connect(vertx, gateway,
        PresenceTesting.newIdentity(vertx, gateway, TokenScope.PRESENCE_READ).token(), null));
    subscriber.subscribe(List.of(user), Map.of());
    PresenceFanoutTest.put(http, gateway, user, "Busy/InACall").await(10, TimeUnit.SECONDS);
    subscriber.awaitChange(user, 1);

    server.kill(); // a process crash: what Redis wrote to the AOF before replying is in the page cache, kept
    awaitTrue("/ready is 503", () -> ready(http) == 503);
    HttpResponse<Buffer> refused = putRaw(http, gateway, user, "Away/Away");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("Unavailable");
    assertThat(refused.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(http.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString())
        .containsPattern("tonegate_presence_refused_total\\{[^}]*reason=\"redis_unavailable\"[^}]*} [1-9]");

    server.start(); // same port, same AOF
    awaitTrue("/ready is 200", () -> ready(http) == 200);
    String channel = new PresenceKeys(prefix).channel(user);
    awaitTrue("the gateway re-subscribed", () -> numsub(server, channel) == 1L);
    PresenceFanoutTest.put(http, gateway, user, "Away/Away").await(10, TimeUnit.SECONDS);
    JsonObject change = subscriber.awaitChange(user, 2);
    assertThat(change.getLong("version")).as("the stored version survived the crash").isEqualTo(2L);
    assertThat(subscriber.changeVersions(user)).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("a gateway's subscription connection dropped (CLIENT KILL) while another instance publishes: after its backoff it re-subscribes and its subscriber gets the missed change by version catch-up, exactly once")
  void droppedSubscriptionCatchesUp() throws Exception {
    RedisProcess server = standalone("presence-dropped");
    String prefix = PresenceTesting.newPrefix();
    JsonObject redis = new JsonObject().put("url", server.url()).put("keyPrefix", prefix);
    // A reconnects its subscription connection only after 5 s; B at once (the default 100 ms)
    TestGateway a = gateway(redis.copy(), new JsonObject().put("pubsub", new JsonObject()
        .put("reconnectMinDelay", "5s").put("reconnectMaxDelay", "5s")));
    TestGateway b = gateway(redis.copy(), new JsonObject());
    WebClient httpB = b.webClient(vertx);
    String user = PresenceFanoutTest.user();
    String channel = new PresenceKeys(prefix).channel(user);
    String token = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ).token();
    PresenceClient onA = closeLater(PresenceClient.connect(vertx, a, token, null));
    PresenceClient onB = closeLater(PresenceClient.connect(vertx, b, token, null));
    onA.subscribe(List.of(user), Map.of());
    onB.subscribe(List.of(user), Map.of());
    awaitTrue("both gateways subscribed", () -> numsub(server, channel) == 2L);
    PresenceFanoutTest.put(httpB, b, user, "Busy/InACall").await(10, TimeUnit.SECONDS);
    onA.awaitChange(user, 1);

    server.call("CLIENT", "KILL", "TYPE", "pubsub");
    awaitTrue("B re-subscribed, A still waiting", () -> numsub(server, channel) == 1L);
    PresenceFanoutTest.put(httpB, b, user, "Away/Away").await(10, TimeUnit.SECONDS);
    assertThat(numsub(server, channel)).as("published while A was not subscribed").isEqualTo(1L);
    onB.awaitChange(user, 2);

    onA.awaitChange(user, 2); // only the catch-up after A's re-subscription can bring it
    awaitTrue("A re-subscribed", () -> numsub(server, channel) == 2L);
    PresenceFanoutTest.put(httpB, b, user, "Available/Available").await(10, TimeUnit.SECONDS);
    onA.awaitChange(user, 3);
    onB.awaitChange(user, 3);
    assertThat(onA.changeVersions(user)).containsExactly(1L, 2L, 3L);
    assertThat(onB.changeVersions(user)).containsExactly(1L, 2L, 3L);
  }

  @Test
  @DisplayName("Sentinel master SIGKILLed: the subscription follows the promoted replica, the replicated state keeps its version, the next change reaches the subscriber")
  void sentinelFailover() throws Exception {
    RedisSentinelHarness sentinel = closeLater(RedisSentinelHarness.start(RedisTopology.freshDir("presence-sentinel")));
    String prefix = PresenceTesting.newPrefix();
    TestGateway gateway = gateway(RedisTopology.sentinelSection(sentinel).put("keyPrefix", prefix), new JsonObject());
    WebClient http = gateway.webClient(vertx);
    String user = PresenceFanoutTest.user();
    PresenceClient subscriber = closeLater(PresenceClient.connect(vertx, gateway,
        PresenceTesting.newIdentity(vertx, gateway, TokenScope.PRESENCE_READ).token(), null));
    subscriber.subscribe(List.of(user), Map.of());
    PresenceFanoutTest.put(http, gateway, user, "Busy/InACall").await(10, TimeUnit.SECONDS);
    subscriber.awaitChange(user, 1);
    sentinel.awaitReplicated();

    RedisProcess old = sentinel.master();
    old.kill();
    RedisProcess promoted = sentinel.awaitNewMaster(old);
    String channel = new PresenceKeys(prefix).channel(user);
    awaitTrue("the gateway subscribed on the promoted replica", () -> numsub(promoted, channel) == 1L);
    // PUTs during the client's switch may be refused (503, fail closed); the first accepted one must arrive
    awaitTrue("a PUT is accepted on the new master", () -> putRaw(http, gateway, user, "Away/Away").statusCode() == 200);
    JsonObject change = subscriber.awaitChange(user, 2);
    assertThat(change.getLong("version")).as("version 1 was replicated: the next is 2").isEqualTo(2L);
    assertThat(subscriber.changeVersions(user)).containsExactly(1L, 2L);
  }

  private static long numsub(RedisProcess server, String channel) {
    return (Long) ((List<?>) server.call("PUBSUB", "NUMSUB", channel)).get(1);
  }

  private static int ready(WebClient http) {
    try {
      return http.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<Buffer> putRaw(WebClient http, TestGateway gateway, String user, String state) {
    String[] parts = state.split("/");
    String body = new JsonObject().put("availability", parts[0]).put("activity", parts[1]).encode();
    String path = "/api/presence/" + user;
    try {
      return PresenceTesting.signed(http.put(path), "PUT", path, body, gateway).sendBuffer(Buffer.buffer(body))
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
