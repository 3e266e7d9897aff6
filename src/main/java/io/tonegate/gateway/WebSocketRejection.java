package io.tonegate.gateway;

/**
 * Refuses a WebSocket upgrade with an HTTP status (401 bad token, 1013-like capacity refusals map to 503, ...).
 * The reason is logged and counted, never sent to the client beyond the status.
 */
public final class WebSocketRejection extends RuntimeException {

  private final int status;
  private final String reason;

  public WebSocketRejection(int status, String reason) {
    super(reason, null, false, false); // no stack trace: this is an expected outcome, not a bug
    this.status = status;
    this.reason = reason;
  }

  public int status() {
    return status;
  }

  /** A short, bounded label for logs and metric tags, e.g. {@code token_expired}. */
  public String reason() {
    return reason;
  }
}
