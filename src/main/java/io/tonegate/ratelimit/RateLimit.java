package io.tonegate.ratelimit;

import io.tonegate.config.ConfigTree;

import java.time.Duration;

/**
 * At most {@code permits} in any sliding {@code window}. {@code permits} 0 disables the limit.
 */
public record RateLimit(int permits, Duration window) {

  /** The largest limit a sliding-window log is used for: memory per key grows with it. */
  public static final int MAX_PERMITS = 100_000;

  public RateLimit {
    if (permits < 0 || permits > MAX_PERMITS) {
      throw new IllegalArgumentException("permits must be 0.." + MAX_PERMITS);
    }
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window must be at least 1 ms");
    }
  }

  /** Reads {@code {limit: 5, window: 10m}}. */
  public static RateLimit from(ConfigTree section) {
    return new RateLimit(section.intValue("limit", 0, MAX_PERMITS),
        section.duration("window", Duration.ofSeconds(1), Duration.ofDays(1)));
  }

  public boolean enabled() {
    return permits > 0;
  }

  @Override
  public String toString() {
    return permits + " per " + window;
  }
}
