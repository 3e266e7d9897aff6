package io.tonegate.redis;

import io.tonegate.testing.RedisClusterHarness;
import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.RedisTraffic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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

/** A Cluster master (3 masters, 1 replica each) killed while the gateway's client writes to every shard. */
class ClusterFailoverTest {

  private static final long WRITE_TIMEOUT_MS = 1_000;

  private final Vertx vertx = Vertx.vertx();
  private RedisClusterHarness cluster;
  private Redis redis;

  @BeforeEach
  void setUp() {
    cluster = RedisClusterHarness.start(RedisTopology.freshDir("cluster-failover"), 3, 1);
    redis = RedisClients.create(vertx, RedisTopology.redisConfig(RedisTopology.clusterSection(cluster)));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      cluster.close();
    }
  }

  @Test
  @DisplayName("a master SIGKILLed under traffic: its replica is promoted, the client follows the new slot map, replicated keys survive")
  void masterKilled() throws Exception {
    String prefix = "tg:session:" + UUID.randomUUID() + ":";
    for (int batch = 0; batch < 300; batch += 100) {
      // in batches: on Cluster every pooled command holds a connection to each master, and the wait queue is bounded
      List<Future<Response>> writes = new ArrayList<>();
      for (int i = batch; i < batch + 100; i++) {
        writes.add(redis.send(Request.cmd(Command.SET).arg(prefix + i).arg(prefix + i).arg("EX").arg(3600)));
      }
      Future.all(writes).await(10, TimeUnit.SECONDS);
    }
    cluster.awaitReplicated();

    RedisTraffic traffic = new RedisTraffic(vertx, redis, "tg:traffic:" + UUID.randomUUID() + ":", WRITE_TIMEOUT_MS)
        .start(5);
    traffic.awaitConsecutiveAcks(50, 10_000);
    RedisProcess victim = cluster.masters().get(1);
    long fault = System.nanoTime();
    RedisProcess promoted = cluster.killMaster(victim);
    long promotedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fault);
    traffic.awaitConsecutiveAcks(200, 20_000);
    traffic.stop();

    List<RedisTraffic.Outcome> lost = traffic.lostAcknowledged(redis);
    long failed = traffic.of(RedisTraffic.Kind.FAILED).size();
    System.out.printf("[resilience] cluster master killed: replica promoted after %d ms; writes: %d acknowledged, "
            + "%d failed fast, %d timed out; last failure %d ms after the fault; %d acknowledged writes lost%n",
        promotedMs, traffic.of(RedisTraffic.Kind.ACKNOWLEDGED).size(), failed,
        traffic.of(RedisTraffic.Kind.TIMED_OUT).size(), traffic.outageMsAfter(fault), lost.size());
    traffic.of(RedisTraffic.Kind.FAILED).stream().map(RedisTraffic.Outcome::error).distinct().limit(5)
        .forEach(e -> System.out.println("[resilience]   failure: " + e));

    assertThat(promoted.info("replication", "role")).isEqualTo("master");
    for (int i = 0; i < 300; i++) {
      Response value = redis.send(Request.cmd(Command.GET).arg(prefix + i)).await(10, TimeUnit.SECONDS);
      assertThat(value).as("replicated key %d", i).isNotNull();
      assertThat(value.toString()).isEqualTo(prefix + i);
    }
    assertThat(lost).allSatisfy(o -> assertThat(o.doneNanos()).isLessThan(fault));
  }
}
