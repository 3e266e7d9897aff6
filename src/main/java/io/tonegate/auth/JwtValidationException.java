package io.tonegate.auth;

/** A refused token with its bounded reason. No stack trace: a refusal is an expected outcome, not a bug. */
public final class JwtValidationException extends RuntimeException {

  private final AuthFailure reason;

  public JwtValidationException(AuthFailure reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public AuthFailure reason() {
    return reason;
  }
}
