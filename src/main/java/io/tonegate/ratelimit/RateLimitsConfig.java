package io.tonegate.ratelimit;

import io.tonegate.config.ConfigTree;

/**
 * The {@code rateLimits} section: limits on caller authentication and on the APIs that create sessions and calls.
 *
 * @param perAni               authentication attempts per caller number (all calls, all instances)
 * @param perCall              authentication attempts per call (across media reconnects and instances)
 * @param perSourceIp          requests per client IP to each of {@code /api/sessions} and {@code /api/call}
 * @param validationsPerSecond DTMF validations per second in this process
 * @param apiFailOpen          whether API requests pass when the limit cannot be checked (Redis down)
 */
public record RateLimitsConfig(RateLimit perAni, RateLimit perCall, RateLimit perSourceIp, int validationsPerSecond,
                               boolean apiFailOpen) {

  public static RateLimitsConfig from(ConfigTree limits) {
    return new RateLimitsConfig(
        RateLimit.from(limits.section("perAni")),
        RateLimit.from(limits.section("perCall")),
        RateLimit.from(limits.section("perSourceIp")),
        limits.intValue("validationsPerSecond", 1, 1_000_000),
        limits.bool("apiFailOpen"));
  }
}
