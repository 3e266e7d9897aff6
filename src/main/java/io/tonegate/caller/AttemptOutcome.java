package io.tonegate.caller;

import java.util.Locale;

/** How one authentication attempt ended; the {@code outcome} tag of {@code tonegate.caller.attempts}. */
public enum AttemptOutcome {
  /** The key existed and was consumed. */
  ACCEPTED,
  /** No matching key (wrong code, expired, already used, or never stored). */
  WRONG_CODE,
  /** The first-digit timeout passed without a digit. */
  NO_INPUT,
  /** The entry was shorter or longer than allowed, or had a key that is not 0-9; Redis was not asked. */
  INVALID_ENTRY,
  /** Redis failed or did not answer within the deadline, or the instance's validation rate was exceeded: fail closed. */
  UNAVAILABLE,
  /** A rate limit refused the attempt. */
  LOCKED_OUT,
  /** The call has no call record, or lacks what its flow needs (a caller number, a SIP Call-ID): nothing to check. */
  UNKNOWN_CALLER;

  /** The metric tag value, e.g. {@code wrong_code}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
