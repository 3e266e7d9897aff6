package io.tonegate.ratelimit;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket in this process: the per-instance ceiling on work that must not be able to swamp Redis or the
 * event loops (e.g. DTMF validations per second). Refills continuously at {@code ratePerSecond}, holds at most one
 * second's worth. Thread-safe (a lock around two longs: far cheaper than any Redis call).
 */
public final class LocalRateLimiter {

  private final double ratePerNano;
  private final double capacity;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  public LocalRateLimiter(int ratePerSecond) {
    this(ratePerSecond, System::nanoTime);
  }

  LocalRateLimiter(int ratePerSecond, LongSupplier nanoClock) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond must be at least 1");
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = ratePerSecond;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.last = nanoClock.getAsLong();
  }

  /** Takes a token when one is available. */
  public synchronized RateDecision tryAcquire() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return new RateDecision(true, (int) tokens, Duration.ZERO);
    }
    long waitNanos = (long) Math.ceil((1 - tokens) / ratePerNano);
    return new RateDecision(false, 0, Duration.ofNanos(waitNanos));
  }
}
