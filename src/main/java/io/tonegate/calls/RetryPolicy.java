package io.tonegate.calls;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to retry a Call Automation request and how long to wait: 429 and 5xx and transport failures are retried up
 * to {@code maxAttempts}; the wait is exponential ({@code base * 2^(attempt-1)}, "equal jitter": half fixed, half
 * random) or what the server asked for in {@code retry-after-ms}/{@code x-ms-retry-after-ms}/{@code Retry-After}
 * (seconds or an HTTP date, RFC 9110 §10.2.3), always capped at {@code maxDelay}.
 */
public final class RetryPolicy {

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble}; fixed in tests */
  public RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, DoubleSupplier random) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
    this.random = random;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** True for statuses worth another attempt: 408, 429 and every 5xx except 501 and 505. */
  public static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || status >= 500 && status != 501 && status != 505;
  }

  /** True when attempt number {@code attempt} (1-based) failed and another may follow. */
  public boolean mayRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /**
   * The wait before the attempt after {@code attempt} (1-based).
   *
   * @param serverDelay what the response asked for ({@link #serverDelay}), if anything
   */
  public Duration delayAfter(int attempt, Optional<Duration> serverDelay, Instant now) {
    Duration delay;
    if (serverDelay.isPresent()) {
      delay = serverDelay.get();
    } else {
      long base = baseDelay.toMillis() << Math.min(attempt - 1, 20);
      long half = base / 2;
      delay = Duration.ofMillis(half + (long) (random.getAsDouble() * (base - half + 1)));
    }
    if (delay.isNegative()) {
      delay = Duration.ZERO;
    }
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }

  /**
   * The delay a response asks for: {@code retry-after-ms} or {@code x-ms-retry-after-ms} (milliseconds, as Azure
   * services send) or {@code Retry-After} (delay-seconds or an HTTP date, relative to {@code now}). Malformed values
   * are ignored.
   *
   * @param header case-insensitive header lookup, {@code null} when absent
   */
  public static Optional<Duration> serverDelay(java.util.function.Function<String, String> header, Instant now) {
    for (String name : new String[] {"retry-after-ms", "x-ms-retry-after-ms"}) {
      String value = header.apply(name);
      if (value != null && value.trim().matches("\\d{1,9}")) {
        return Optional.of(Duration.ofMillis(Long.parseLong(value.trim())));
      }
    }
    String retryAfter = header.apply("retry-after");
    if (retryAfter == null) {
      return Optional.empty();
    }
    String value = retryAfter.trim();
    if (value.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration until = Duration.between(now, at);
      return Optional.of(until.isNegative() ? Duration.ZERO : until);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
