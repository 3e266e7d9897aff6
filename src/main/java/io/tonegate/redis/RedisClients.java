package io.tonegate.redis;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;

import java.util.concurrent.TimeUnit;

/** Creates the shared, pooled Redis client from {@link RedisConfig}, and checks that Redis answers. */
public final class RedisClients {

  private RedisClients() {
  }

  /**
   * A pooled client for the configured topology. Pooled connections are re-established on demand, so after a
   * Redis outage the next command reconnects: no gateway restart is needed. Every command has a deadline
   * ({@code redis.commandTimeout}) and every TCP connect one ({@code redis.connectTimeout}), so a Redis that hangs
   * or a host that drops packets fails requests fast instead of holding them.
   */
  public static Redis create(Vertx vertx, RedisConfig config, MeterRegistry registry) {
    return new InstrumentedRedis(create(vertx, config), registry);
  }

  /** As {@link #create(Vertx, RedisConfig, MeterRegistry)}, without metrics (tools and tests). */
  public static Redis create(Vertx vertx, RedisConfig config) {
    RedisOptions options = new RedisOptions()
        .setType(switch (config.mode()) {
          case STANDALONE -> RedisClientType.STANDALONE;
          case SENTINEL -> RedisClientType.SENTINEL;
          case CLUSTER -> RedisClientType.CLUSTER;
        })
        .setMaxPoolSize(config.maxPoolSize())
        .setMaxPoolWaiting(config.maxPoolWaiting())
        .setMaxWaitingHandlers(config.maxWaitingHandlers())
        .setPoolName("tonegate-redis")
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) config.connectTimeout().toMillis())
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    config.addresses().forEach(options::addConnectionString);
    if (config.mode() == RedisConfig.Mode.SENTINEL) {
      options.setMasterName(config.masterName()).setRole(RedisRole.MASTER);
    }
    return new DeadlineRedis(Redis.createClient(vertx, options), config.commandTimeout().toMillis());
  }

  /** PING within {@code timeoutMs}; fails with the reason when Redis is unreachable or slower than that. */
  public static Future<Void> ping(Redis redis, long timeoutMs) {
    return redis.send(Request.cmd(Command.PING))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }
}
