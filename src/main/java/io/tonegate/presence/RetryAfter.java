package io.tonegate.presence;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Parses {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
final class RetryAfter {

  private RetryAfter() {
  }

  /**
   * The wait the header asks for, capped at {@code max}; {@code fallback} when it is absent or unreadable, and never
   * negative.
   */
  static Duration parse(String header, Instant now, Duration fallback, Duration max) {
    Duration wait = fallback;
    if (header != null && !header.isBlank()) {
      String value = header.trim();
      if (value.matches("\\d{1,9}")) {
        wait = Duration.ofSeconds(Long.parseLong(value));
      } else {
        try {
          wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
          wait = fallback;
        }
      }
    }
    if (wait.isNegative()) {
      wait = Duration.ZERO;
    }
    return wait.compareTo(max) > 0 ? max : wait;
  }
}
