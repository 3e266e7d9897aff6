package io.tonegate.caller;

import io.tonegate.session.StoredSession;

import java.time.Duration;
import java.util.Optional;

/**
 * The answer to one validation: {@link AttemptOutcome#ACCEPTED} (with the consumed session),
 * {@link AttemptOutcome#WRONG_CODE}, {@link AttemptOutcome#LOCKED_OUT} (with when to retry, and which limit) or
 * {@link AttemptOutcome#UNAVAILABLE} (with why).
 *
 * @param detail a short bounded label: the limit that locked out ({@code caller-ani}, {@code caller-call}), or why
 *               the check was unavailable ({@code timeout}, {@code redis_error}, {@code instance_rate}); empty otherwise
 */
public record Validation(AttemptOutcome outcome, Optional<StoredSession> session, Duration retryAfter, String detail) {

  static Validation accepted(StoredSession session) {
    return new Validation(AttemptOutcome.ACCEPTED, Optional.of(session), Duration.ZERO, "");
  }

  static Validation wrongCode() {
    return new Validation(AttemptOutcome.WRONG_CODE, Optional.empty(), Duration.ZERO, "");
  }

  static Validation lockedOut(String limit, Duration retryAfter) {
    return new Validation(AttemptOutcome.LOCKED_OUT, Optional.empty(), retryAfter, limit);
  }

  static Validation unavailable(String why) {
    return new Validation(AttemptOutcome.UNAVAILABLE, Optional.empty(), Duration.ZERO, why);
  }
}
