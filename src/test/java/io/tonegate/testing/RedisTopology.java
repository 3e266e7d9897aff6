package io.tonegate.testing;

import io.tonegate.config.ConfigLoader;
import io.tonegate.config.TonegateConfig;
import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.redis.RedisClients;
import io.tonegate.redis.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Redis topologies Tonegate supports, each backed by real processes shared by the whole test JVM (started on
 * first use, killed at exit). Tests that must hold for every topology take one as a parameter:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EnumSource(RedisTopology.class)
 * void consumesOnce(RedisTopology topology) {
 *   Redis redis = topology.client(vertx);            // through RedisClients, as the gateway does
 *   TestGateway gw = TestGateway.start(topology.gatewayOverrides());
 * }
 * }</pre>
 *
 * Shared servers are for functional tests with unique keys. Fault tests (killing, restarting) start their own with
 * {@link RedisSentinelHarness#start} / {@link RedisClusterHarness#start} / {@link TestRedis#startDedicated()}.
 */
public enum RedisTopology {

  /** One server: the shared embedded test Redis (the topology of the default configuration). */
  STANDALONE,
  /** One master, one replica, three sentinels (redis-server 7). */
  SENTINEL,
  /** Three masters, 16384 slots split evenly (redis-server 7). */
  CLUSTER;

  /** System property choosing the topology of a whole test run: standalone (default), sentinel or cluster. */
  public static final String PROPERTY = "tonegate.test.redisTopology";

  private static RedisSentinelHarness sentinel;
  private static RedisClusterHarness cluster;

  /**
   * The topology this test JVM runs on ({@code -Dtonegate.test.redisTopology}): {@link TestGateway} and
   * {@link TestRedis#client} use it, so the feature tests that take Redis from them (sessions, rate limits,
   * revocation, presence, caller) run unchanged on Sentinel and Cluster in the build's topology executions.
   */
  public static RedisTopology current() {
    String configured = System.getProperty(PROPERTY, "standalone").trim();
    return valueOf(configured.isEmpty() ? "STANDALONE" : configured.toUpperCase(java.util.Locale.ROOT));
  }

  /** The {@code redis} section for this topology's shared servers (mode, url, endpoints, master name). */
  public JsonObject redisSection() {
    return switch (this) {
      case STANDALONE -> standaloneSection(TestRedis.shared());
      case SENTINEL -> sentinelSection(sharedSentinel());
      case CLUSTER -> clusterSection(sharedCluster());
    };
  }

  /** Overrides for {@link TestGateway#start(JsonObject)} that point the gateway at this topology. */
  public JsonObject gatewayOverrides() {
    return new JsonObject().put("redis", redisSection());
  }

  /** The validated {@link RedisConfig} for this topology (defaults plus {@link #redisSection()}). */
  public RedisConfig redisConfig() {
    return redisConfig(redisSection());
  }

  /** A pooled client made exactly as the gateway makes it ({@link RedisClients#create}). */
  public Redis client(Vertx vertx) {
    return RedisClients.create(vertx, redisConfig());
  }

  /**
   * A client for tests that hammer Redis (dozens of concurrent commands): the gateway's client with a larger pool
   * and wait queue than the defaults, so the test measures the feature, not the pool bound.
   */
  public Redis testClient(Vertx vertx) {
    return RedisClients.create(vertx, redisConfig(redisSection().put("maxPoolSize", 32).put("maxPoolWaiting", 4096)));
  }

  /** Every node's URL of this topology's shared servers (data nodes, not sentinels). */
  public List<RedisProcess> dataNodes() {
    return switch (this) {
      case STANDALONE -> List.of();
      case SENTINEL -> sharedSentinel().servers();
      case CLUSTER -> sharedCluster().nodes();
    };
  }

  public static JsonObject standaloneSection(EmbeddedRedis redis) {
    return new JsonObject().put("mode", "standalone").put("url", redis.url()).put("endpoints", new JsonArray());
  }

  public static JsonObject sentinelSection(RedisSentinelHarness group) {
    List<String> urls = group.sentinelUrls();
    return new JsonObject().put("mode", "sentinel").put("url", urls.get(0))
        .put("endpoints", new JsonArray(urls.subList(1, urls.size())))
        .put("masterName", RedisSentinelHarness.MASTER_NAME);
  }

  public static JsonObject clusterSection(RedisClusterHarness nodes) {
    List<String> urls = nodes.urls();
    return new JsonObject().put("mode", "cluster").put("url", urls.get(0))
        .put("endpoints", new JsonArray(urls.subList(1, urls.size())));
  }

  /** The validated config of the default {@code redis} section overlaid with {@code section}. */
  public static RedisConfig redisConfig(JsonObject section) {
    JsonObject merged = ConfigLoader.load(null, Map.of());
    ConfigLoader.overlay(merged, new JsonObject().put("redis", section), "");
    return TonegateConfig.from(merged).redis();
  }

  /** The JVM-wide Sentinel group (functional tests only: never kill its processes). */
  public static synchronized RedisSentinelHarness sharedSentinel() {
    if (sentinel == null) {
      sentinel = RedisSentinelHarness.start(freshDir("sentinel"));
    }
    return sentinel;
  }

  /** The JVM-wide Cluster (functional tests only: never kill its processes). */
  public static synchronized RedisClusterHarness sharedCluster() {
    if (cluster == null) {
      cluster = RedisClusterHarness.start(freshDir("cluster"), 3, 0);
    }
    return cluster;
  }

  /** A new directory under target/test-data for a topology's data. */
  public static Path freshDir(String kind) {
    return TestRedis.dataRoot().resolve(kind + "-" + UUID.randomUUID().toString().substring(0, 8));
  }
}
