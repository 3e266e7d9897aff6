package io.tonegate.config;

import io.tonegate.redis.RedisConfig;
import io.vertx.core.json.JsonObject;

/**
 * The whole validated configuration, read once at start-up. Each feature has its own small record; {@link #root()}
 * keeps the merged tree for features that read their section when they are wired.
 */
public record TonegateConfig(ConfigTree root, ServerConfig server, RedisConfig redis, LoggingConfig logging) {

  /** Validates every section; the first bad value throws a {@link ConfigException} naming its key. */
  public static TonegateConfig from(JsonObject merged) {
    ConfigTree root = new ConfigTree(merged);
    return new TonegateConfig(root, ServerConfig.from(root), RedisConfig.from(root.section("redis")),
        LoggingConfig.from(root.section("logging")));
  }

  public TonegateConfig withServer(ServerConfig newServer) {
    return new TonegateConfig(root, newServer, redis, logging);
  }

  public TonegateConfig withRedis(RedisConfig newRedis) {
    return new TonegateConfig(root, server, newRedis, logging);
  }
}
