package io.tonegate.presence;

/**
 * An authentication or authorization refusal: the HTTP status to answer (401, 403, 503 when the revocation state
 * cannot be read), a bounded reason for logs and the {@code tonegate.presence.refused} metric, and a client message.
 */
public final class PresenceAccessDenied extends RuntimeException {

  private final int status;
  private final String reason;

  public PresenceAccessDenied(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }
}
