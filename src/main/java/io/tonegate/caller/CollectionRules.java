package io.tonegate.caller;

import java.time.Duration;

/**
 * How a code is collected and how many tries a call gets. Immutable; built from {@link CallerConfig}.
 *
 * @param terminator          the key that ends an entry (usually {@code #})
 * @param minLength           shortest code accepted
 * @param maxLength           longest code accepted
 * @param firstDigitTimeout   silence allowed before the first digit of an entry
 * @param interDigitTimeout   silence allowed between digits; when it passes the entry is submitted as if terminated
 * @param maxAttempts         failed attempts (wrong code, no input, invalid entry) before {@code REJECTED}
 * @param maxUnavailable      attempts that could not be checked (Redis down or slow) before {@code REJECTED}
 * @param automaticRetryDelay in a flow without a code, the wait before checking again after an unavailable attempt
 */
public record CollectionRules(
    char terminator,
    int minLength,
    int maxLength,
    Duration firstDigitTimeout,
    Duration interDigitTimeout,
    int maxAttempts,
    int maxUnavailable,
    Duration automaticRetryDelay) {

  public CollectionRules {
    if (minLength < 1 || maxLength < minLength) {
      throw new IllegalArgumentException("need 1 <= minLength <= maxLength, got " + minLength + ".." + maxLength);
    }
    if (maxAttempts < 1 || maxUnavailable < 1) {
      throw new IllegalArgumentException("maxAttempts and maxUnavailable must be at least 1");
    }
    if (terminator >= '0' && terminator <= '9') {
      throw new IllegalArgumentException("the terminator cannot be a digit");
    }
  }
}
