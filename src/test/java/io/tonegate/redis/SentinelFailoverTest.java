package io.tonegate.redis;

import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisSentinelHarness;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.RedisTraffic;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sentinel failover with real processes while the gateway's Redis client carries traffic. The numbers each run
 * prints (outage, failed and timed-out writes, lost acknowledged writes) are recorded in docs/resilience.md.
 */
class SentinelFailoverTest {

  private static final long WRITE_TIMEOUT_MS = 1_000;

  private final Vertx vertx = Vertx.vertx();
  private RedisSentinelHarness sentinel;
  private Redis redis;

  @BeforeEach
  void setUp() {
    sentinel = RedisSentinelHarness.start(RedisTopology.freshDir("sentinel-failover"));
    redis = RedisClients.create(vertx, RedisTopology.redisConfig(RedisTopology.sentinelSection(sentinel)));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      sentinel.close();
    }
  }

  @Test
  @DisplayName("master SIGKILLed under traffic: writes fail fast (none hangs), resume on the promoted replica, replicated keys survive, /ready recovers")
  void masterKilled() throws Exception {
    List<String> stored = storeReplicated(200);
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("redis",
        RedisTopology.sentinelSection(sentinel).put("readyTimeout", "300ms")))) {
      WebClient http = gateway.webClient(vertx);
      RedisTraffic traffic = new RedisTraffic(vertx, redis, "tg:traffic:" + UUID.randomUUID() + ":", WRITE_TIMEOUT_MS)
          .start(5);
      traffic.awaitConsecutiveAcks(50, 10_000);

      long fault = System.nanoTime();
      RedisProcess old = sentinel.master();
      RedisProcess promoted = sentinel.killMaster();
      long promotedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fault);
      traffic.awaitConsecutiveAcks(100, 20_000);
      traffic.stop();

      List<RedisTraffic.Outcome> lost = traffic.lostAcknowledged(redis);
      report("master killed", traffic, fault, promotedMs, lost);
      assertThat(promoted).isNotSameAs(old);
      assertThat(readAll(stored)).as("replicated session keys after failover").isEqualTo(stored);
      // Only writes the old master acknowledged before it died can be lost (async replication); nothing after.
      assertThat(lost).allSatisfy(o -> assertThat(o.doneNanos()).isLessThan(fault));
      assertThat(http.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

      // The killed master comes back as a replica of the new one; its stale data is replaced by a full resync.
      sentinel.rejoin(old);
      assertThat(old.info("replication", "role")).isEqualTo("slave");
      assertThat(readAll(stored)).isEqualTo(stored);
    }
  }

  @Test
  @DisplayName("master frozen (SIGSTOP, sockets open) under traffic: writes time out instead of hanging and resume after failover")
  void masterFrozen() throws Exception {
    List<String> stored = storeReplicated(100);
    RedisTraffic traffic = new RedisTraffic(vertx, redis, "tg:traffic:" + UUID.randomUUID() + ":", WRITE_TIMEOUT_MS)
        .start(5);
    traffic.awaitConsecutiveAcks(50, 10_000);

    long fault = System.nanoTime();
    RedisProcess old = sentinel.master();
    old.pause(true);
    try {
      sentinel.awaitNewMaster(old);
      long promotedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fault);
      traffic.awaitConsecutiveAcks(100, 20_000);
      traffic.stop();
      List<RedisTraffic.Outcome> lost = traffic.lostAcknowledged(redis);
      report("master frozen", traffic, fault, promotedMs, lost);
      assertThat(readAll(stored)).isEqualTo(stored);
      assertThat(lost).allSatisfy(o -> assertThat(o.doneNanos()).isLessThan(fault));
    } finally {
      old.pause(false);
    }
  }

  @Test
  @DisplayName("planned failover (SENTINEL FAILOVER) under traffic: replicated keys survive, writes resume, and only writes acknowledged during the switch can be lost")
  void plannedFailover() throws Exception {
    List<String> stored = storeReplicated(100);
    RedisTraffic traffic = new RedisTraffic(vertx, redis, "tg:traffic:" + UUID.randomUUID() + ":", WRITE_TIMEOUT_MS)
        .start(5);
    traffic.awaitConsecutiveAcks(50, 10_000);

    long fault = System.nanoTime();
    RedisProcess old = sentinel.master();
    sentinel.sentinels().get(0).call("SENTINEL", "FAILOVER", RedisSentinelHarness.MASTER_NAME);
    sentinel.awaitNewMaster(old);
    long promoted = System.nanoTime();
    long promotedMs = TimeUnit.NANOSECONDS.toMillis(promoted - fault);
    traffic.awaitConsecutiveAcks(100, 20_000);
    traffic.stop();
    List<RedisTraffic.Outcome> lost = traffic.lostAcknowledged(redis);
    report("planned failover", traffic, fault, promotedMs, lost);
    assertThat(readAll(stored)).isEqualTo(stored);
    // Sentinel does not pause the old master's clients: until Sentinel demotes it (and until the client's 1 s master
    // cache expires) it still acknowledges writes, which its resync with the new master then discards. So writes
    // acknowledged during the switch may be lost (docs/resilience.md); none from before it, none long after it.
    assertThat(lost).allSatisfy(o -> {
      assertThat(o.sentNanos()).isGreaterThanOrEqualTo(fault);
      assertThat(o.doneNanos()).isLessThan(promoted + TimeUnit.SECONDS.toNanos(5));
    });
  }

  private List<String> storeReplicated(int count) throws Exception {
    String prefix = "tg:session:" + UUID.randomUUID() + ":";
    List<String> keys = new ArrayList<>();
    List<Future<Response>> writes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(prefix + i);
      writes.add(redis.send(Request.cmd(Command.SET).arg(prefix + i).arg(prefix + i).arg("EX").arg(3600)));
    }
    Future.all(writes).await(10, TimeUnit.SECONDS);
    sentinel.awaitReplicated();
    return keys;
  }

  /** Reads each key (its value is its own name) and returns the keys found with the right value. */
  private List<String> readAll(List<String> keys) throws Exception {
    List<String> found = new ArrayList<>();
    for (String key : keys) {
      Response value = redis.send(Request.cmd(Command.GET).arg(key)).await(10, TimeUnit.SECONDS);
      if (value != null && key.equals(value.toString())) {
        found.add(key);
      }
    }
    return found;
  }

  private static void report(String fault, RedisTraffic traffic, long faultNanos, long promotedMs,
                             List<RedisTraffic.Outcome> lost) {
    System.out.printf("[resilience] sentinel %s: promoted after %d ms; writes: %d acknowledged, %d failed fast, "
            + "%d timed out (%d ms deadline); last failure %d ms after the fault; %d acknowledged writes lost%n",
        fault, promotedMs, traffic.of(RedisTraffic.Kind.ACKNOWLEDGED).size(),
        traffic.of(RedisTraffic.Kind.FAILED).size(), traffic.of(RedisTraffic.Kind.TIMED_OUT).size(),
        WRITE_TIMEOUT_MS, traffic.outageMsAfter(faultNanos), lost.size());
    traffic.of(RedisTraffic.Kind.FAILED).stream().map(RedisTraffic.Outcome::error).distinct().limit(5)
        .forEach(e -> System.out.println("[resilience]   failure: " + e));
  }
}
