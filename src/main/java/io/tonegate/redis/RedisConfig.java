package io.tonegate.redis;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to reach Redis. With no {@code url} the gateway starts an embedded redis-server.
 *
 * @param url         first address; empty means embedded
 * @param endpoints   further addresses: sentinels or cluster seed nodes
 * @param keyPrefix   prefix of every key Tonegate writes (e.g. {@code tg:})
 */
public record RedisConfig(
    Optional<String> url,
    Mode mode,
    List<String> endpoints,
    String keyPrefix,
    String masterName,
    int maxPoolSize,
    int maxPoolWaiting,
    int maxWaitingHandlers,
    Duration readyTimeout,
    Duration commandTimeout,
    Duration connectTimeout,
    int embeddedPort,
    String appendfsync) {

  public enum Mode { STANDALONE, SENTINEL, CLUSTER }

  public static RedisConfig from(ConfigTree redis) {
    Optional<String> url = redis.optionalString("url");
    url.ifPresent(u -> requireRedisUrl(redis.path("url"), u));
    List<String> endpoints = redis.strings("endpoints");
    for (int i = 0; i < endpoints.size(); i++) {
      requireRedisUrl(redis.path("endpoints") + "[" + i + "]", endpoints.get(i));
    }
    Mode mode = redis.enumValue("mode", Mode.class);
    if (mode != Mode.STANDALONE && url.isEmpty()) {
      throw new ConfigException(redis.path("url"), "must be set when redis.mode is " + mode.name().toLowerCase());
    }
    ConfigTree embedded = redis.section("embedded");
    String fsync = embedded.string("appendfsync").trim();
    if (!List.of("always", "everysec", "no").contains(fsync)) {
      throw new ConfigException(embedded.path("appendfsync"), "must be one of always, everysec, no, got '" + fsync + "'");
    }
    String keyPrefix = redis.string("keyPrefix");
    if (!keyPrefix.matches("[A-Za-z0-9:_.-]{0,32}")) {
      throw new ConfigException(redis.path("keyPrefix"), "must be at most 32 of A-Z a-z 0-9 : _ . -, got '" + keyPrefix + "'");
    }
    int maxPoolSize = redis.intValue("maxPoolSize", 1, 1024);
    int maxPoolWaiting = redis.intValue("maxPoolWaiting", 0, 1_000_000);
    if (mode != Mode.STANDALONE && maxPoolWaiting < maxPoolSize) {
      // the Vert.x Sentinel and Cluster clients refuse this combination at start-up with a less helpful message
      throw new ConfigException(redis.path("maxPoolWaiting"), "must be at least redis.maxPoolSize (" + maxPoolSize
          + ") when redis.mode is " + mode.name().toLowerCase() + ", got " + maxPoolWaiting);
    }
    return new RedisConfig(url, mode, endpoints, keyPrefix, redis.nonEmptyString("masterName"),
        maxPoolSize, maxPoolWaiting, redis.intValue("maxWaitingHandlers", 1, 1_000_000),
        redis.duration("readyTimeout", Duration.ofMillis(10), Duration.ofMinutes(1)),
        redis.duration("commandTimeout", Duration.ofMillis(10), Duration.ofMinutes(1)),
        redis.duration("connectTimeout", Duration.ofMillis(10), Duration.ofMinutes(1)),
        embedded.intValue("port", 0, 65_535), fsync);
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  /** All configured addresses, url first. */
  public List<String> addresses() {
    List<String> all = new ArrayList<>();
    url.ifPresent(all::add);
    all.addAll(endpoints);
    return List.copyOf(all);
  }

  /** This config pointed at {@code url} in standalone mode (used once the embedded server is up). */
  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(Optional.of(newUrl), mode, endpoints, keyPrefix, masterName, maxPoolSize, maxPoolWaiting,
        maxWaitingHandlers, readyTimeout, commandTimeout, connectTimeout, embeddedPort, appendfsync);
  }

  private static void requireRedisUrl(String key, String value) {
    if (!value.matches("rediss?://\\S+")) {
      throw new ConfigException(key, "must start with redis:// or rediss://, got '" + value + "'");
    }
  }

  /** The address without credentials, safe to log. */
  public static String redact(String url) {
    return url.replaceFirst("//[^@/]*@", "//***@");
  }
}
