package io.tonegate.auth;

import java.util.Locale;

/**
 * Why a {@link JwtValidator} refused a token. Bounded on purpose: {@link #tag()} is the {@code reason} tag of
 * {@code tonegate.auth.failures}, and the only detail a client ever learns (as an HTTP status) is "refused".
 */
public enum AuthFailure {
  /** No {@code Authorization: Bearer} header, or an empty token. */
  MISSING_TOKEN,
  /** Not three base64url segments of JSON, too long, padded, or a {@code crit} header we do not understand. */
  MALFORMED,
  /** {@code alg} not on the allow-list ({@code none} and {@code HS*} never are), or not the key's algorithm. */
  ALGORITHM_NOT_ALLOWED,
  /** No key with this {@code kid}, even after a (rate-limited) key refresh; or no {@code kid}. */
  UNKNOWN_KEY,
  /** The key set could not be loaded at all (JWKS endpoint down and nothing cached). */
  KEYS_UNAVAILABLE,
  BAD_SIGNATURE,
  EXPIRED,
  /** {@code nbf} (or {@code iat}) lies in the future beyond the clock-skew allowance. */
  NOT_YET_VALID,
  WRONG_ISSUER,
  WRONG_AUDIENCE,
  /** A required claim ({@code exp}) is missing, or a time claim is not a number. */
  INVALID_CLAIMS,
  /** The token is valid but not for this use (e.g. bound to another call). Set by callers, not the validator. */
  NOT_PERMITTED;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
