package io.tonegate.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Rate limits shared by every gateway instance: a sliding-window log per {@code (scope, subject)} in Redis, checked
 * and recorded by one atomic Lua script (one round trip). Redis's clock is the only clock, so instances agree.
 *
 * <p>Scopes are short fixed names ({@code caller-ani}, {@code api-sessions-ip}, ...) and become the {@code scope} tag
 * of {@code tonegate.ratelimit.rejections}; subjects are the thing limited (an IP, a hashed number, a call id).
 * Redis keys are {@code <keyPrefix>ratelimit:<scope>:{<subject>}}; a subject with characters outside a safe set is
 * replaced by its SHA-256.
 *
 * <pre>{@code
 * RateLimiter limiter = new RateLimiter(redis, keyPrefix, registry);
 * limiter.acquire("api-call-ip", clientIp, new RateLimit(60, Duration.ofMinutes(1)))
 *     .onSuccess(d -> { if (!d.allowed()) reply429(d.retryAfterSeconds()); });
 * }</pre>
 * For HTTP routes, {@link RateLimitHandler} does exactly that. Thread-safe; one per process is enough.
 */
public final class RateLimiter {

  private static final LuaScript SCRIPT = LuaScript.fromResource("/lua/rate-limit.lua");
  private static final Pattern SAFE_SCOPE = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Pattern SAFE_SUBJECT = Pattern.compile("[A-Za-z0-9:._+@\\-]{1,128}");

  private final Redis redis;
  private final String keyPrefix;
  private final MeterRegistry registry;
  /** Member ids must be unique across instances: a random instance tag plus a counter. */
  private final String instanceTag;
  private final AtomicLong sequence = new AtomicLong();

  public RateLimiter(Redis redis, String keyPrefix, MeterRegistry registry) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.registry = registry;
    byte[] tag = new byte[6];
    new SecureRandom().nextBytes(tag);
    this.instanceTag = HexFormat.of().formatHex(tag);
  }

  /**
   * Takes one permit of {@code limit} for {@code subject} in {@code scope}. A refusal is counted in
   * {@code tonegate.ratelimit.rejections{scope}}. Fails only when Redis does; the caller decides whether that means
   * open or closed.
   */
  public Future<RateDecision> acquire(String scope, String subject, RateLimit limit) {
    if (!SAFE_SCOPE.matcher(scope).matches()) {
      return Future.failedFuture(new IllegalArgumentException("bad rate-limit scope: " + scope));
    }
    if (!limit.enabled()) {
      return Future.succeededFuture(RateDecision.UNLIMITED);
    }
    String key = keyPrefix + "ratelimit:" + scope + ":{" + safeSubject(subject) + "}";
    String member = instanceTag + ":" + sequence.incrementAndGet();
    return SCRIPT.run(redis, List.of(key),
            List.of(Integer.toString(limit.permits()), Long.toString(limit.window().toMillis()), member))
        .map(response -> {
          RateDecision decision = decode(response);
          if (!decision.allowed()) {
            rejected(registry, scope).increment();
          }
          return decision;
        });
  }

  /** The counter of refusals in {@code scope}; other limiters (local ones) count into the same meter. */
  public static Counter rejected(MeterRegistry registry, String scope) {
    return Counter.builder("tonegate.ratelimit.rejections")
        .description("Requests or attempts refused by a rate limit, by limit scope")
        .tag("scope", scope)
        .register(registry);
  }

  private static RateDecision decode(Response response) {
    boolean allowed = response.get(0).toInteger() == 1;
    int remaining = response.get(1).toInteger();
    long retryMs = response.get(2).toLong();
    return new RateDecision(allowed, remaining, Duration.ofMillis(retryMs));
  }

  static String safeSubject(String subject) {
    if (subject != null && SAFE_SUBJECT.matcher(subject).matches()) {
      return subject;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(String.valueOf(subject).getBytes(StandardCharsets.UTF_8));
      return "sha256-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
