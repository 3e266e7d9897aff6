package io.tonegate.identity;

import java.util.Locale;

/**
 * Why {@link AcsHmacVerifier} refused a request. Bounded, so it is safe as a metric tag ({@link #tag()}); the
 * {@link #message()} goes into the 401 body (ACS also tells clients which check failed).
 */
public enum HmacFailure {
  MISSING_AUTHORIZATION("Request has no Authorization header."),
  MALFORMED_AUTHORIZATION("Authorization header is not 'HMAC-SHA256 SignedHeaders=...&Signature=...'."),
  UNSIGNED_REQUIRED_HEADER("SignedHeaders must include x-ms-date, host and x-ms-content-sha256."),
  MISSING_SIGNED_HEADER("A header named in SignedHeaders is missing from the request."),
  MALFORMED_DATE("Request 'x-ms-date' is missing or not an RFC 1123 date."),
  DATE_OUT_OF_WINDOW("Request 'x-ms-date' is outside the allowed clock skew."),
  CONTENT_HASH_MISMATCH("Request 'x-ms-content-sha256' differs from generated content hash."),
  SIGNATURE_MISMATCH("HMAC-SHA256 validation failed."),
  /** Set by the HTTP layer, never by the verifier: the body exceeded the configured limit. */
  BODY_TOO_LARGE("Request body is too large.");

  private final String message;

  HmacFailure(String message) {
    this.message = message;
  }

  /** A short client-facing explanation. Never contains request data. */
  public String message() {
    return message;
  }

  /** Lower-case name for metric tags, e.g. {@code signature_mismatch}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
