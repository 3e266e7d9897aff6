package io.tonegate.session;

/**
 * A session key (or an input to one) that breaks the rules. {@link #reason()} is a short bounded label for metrics;
 * the message is safe to return to a client and to log: it never contains the code.
 */
public final class InvalidSessionKeyException extends IllegalArgumentException {

  private final String reason;

  public InvalidSessionKeyException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** e.g. {@code bad_ani}, {@code bad_code}, {@code unknown_type}. */
  public String reason() {
    return reason;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // an expected outcome of bad input, not a bug
  }
}
