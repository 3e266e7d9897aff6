package io.tonegate.ratelimit;

import java.time.Duration;

/**
 * The answer of a rate limiter.
 *
 * @param allowed    whether the request may proceed (its permit is recorded)
 * @param remaining  permits left in the current window after this one
 * @param retryAfter when refused, how long until a permit frees up; zero when allowed
 */
public record RateDecision(boolean allowed, int remaining, Duration retryAfter) {

  /** A decision for a disabled limit. */
  public static final RateDecision UNLIMITED = new RateDecision(true, Integer.MAX_VALUE, Duration.ZERO);

  /** Retry-After in whole seconds, rounded up, at least 1 (RFC 9110 §10.2.3). */
  public long retryAfterSeconds() {
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }
}
