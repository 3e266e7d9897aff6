package io.tonegate.identity;

/**
 * A token was refused. Carries a bounded {@link TokenRejection}; the message is safe to log (no token content).
 * Stack-trace-free: rejections are ordinary outcomes on hot paths, not bugs.
 */
public final class TokenRejectedException extends RuntimeException {

  private final TokenRejection reason;

  public TokenRejectedException(TokenRejection reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public TokenRejection reason() {
    return reason;
  }
}
