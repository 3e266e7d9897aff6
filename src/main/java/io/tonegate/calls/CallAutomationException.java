package io.tonegate.calls;

/**
 * A Call Automation operation that did not succeed. {@link #kind()} says whether ACS refused it (a 4xx: retrying
 * the same request will not help) or could not be reached (5xx/429 after retries, timeouts, an open circuit, no
 * connection string configured). Messages never contain secrets.
 */
public final class CallAutomationException extends RuntimeException {

  public enum Kind {
    /** {@code calls.acs.connectionString} is empty. */
    NOT_CONFIGURED,
    /** The circuit breaker is open: ACS failed repeatedly, requests fail fast for a while. */
    CIRCUIT_OPEN,
    /** ACS answered 429/5xx on every attempt, or did not answer (timeout, connection error). */
    UNAVAILABLE,
    /** ACS refused the request with a 4xx other than 429. */
    REJECTED,
    /** ACS answered 2xx with a body Tonegate cannot read. */
    BAD_RESPONSE
  }

  private final Kind kind;
  private final String operation;
  private final int status;
  private final String errorCode;

  public CallAutomationException(Kind kind, String operation, int status, String errorCode, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.operation = operation;
    this.status = status;
    this.errorCode = errorCode;
  }

  public Kind kind() {
    return kind;
  }

  /** The operation's metric name, e.g. {@code answer}. */
  public String operation() {
    return operation;
  }

  /** The last HTTP status from ACS; 0 when there was none. */
  public int status() {
    return status;
  }

  /** ACS's {@code error.code}, empty when none. */
  public String errorCode() {
    return errorCode;
  }

  /** True when trying again later may succeed (everything except a refusal or an unreadable answer). */
  public boolean transientFailure() {
    return kind != Kind.REJECTED && kind != Kind.BAD_RESPONSE;
  }
}
