package io.tonegate.apptoken;

import io.tonegate.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A fixed-window counter per {@code (scope, subject)} in Redis, one atomic single-key script (works on Cluster):
 * at most {@code permits} per window, the window starting at the first request. Subjects are hashed, so user ids and
 * addresses never appear in key names. Keys: {@code <prefix>ratelimit:<scope>:<sha-256 of subject>}.
 */
final class RedisWindowLimiter implements RequestLimiter {

  private static final LuaScript SCRIPT = new LuaScript("""
      -- KEYS[1] counter; ARGV[1] permits; ARGV[2] window (ms). Returns 0 when allowed, else the ms until reset.
      local used = redis.call('INCR', KEYS[1])
      if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      if used <= tonumber(ARGV[1]) then return 0 end
      local ttl = redis.call('PTTL', KEYS[1])
      if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) ttl = tonumber(ARGV[2]) end
      return math.max(ttl, 1)
      """);

  private final Redis redis;
  private final String keyPrefix;

  RedisWindowLimiter(Redis redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  @Override
  public Future<Duration> acquire(String scope, String subject, AppTokenConfig.Limit limit) {
    if (!limit.enabled()) {
      return Future.succeededFuture(Duration.ZERO);
    }
    String key = keyPrefix + "ratelimit:" + scope + ":" + sha256(subject);
    return SCRIPT.run(redis, List.of(key),
            List.of(Integer.toString(limit.permits()), Long.toString(limit.window().toMillis())))
        .map(r -> Duration.ofMillis(r.toLong()));
  }

  private static String sha256(String subject) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(subject.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
