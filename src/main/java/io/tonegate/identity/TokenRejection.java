package io.tonegate.identity;

import java.util.Locale;

/** Why {@link AccessTokenVerifier} refused a token. Bounded, so {@link #tag()} is safe as a metric tag. */
public enum TokenRejection {
  /** Not three base64url segments of JSON, too long, or a critical header we do not understand. */
  MALFORMED,
  /** {@code alg} is not on the allow-list ({@code none} and {@code HS*} never are) or does not match the key. */
  ALGORITHM_NOT_ALLOWED,
  /** No published key has this {@code kid}. */
  UNKNOWN_KEY,
  BAD_SIGNATURE,
  EXPIRED,
  /** {@code nbf} or {@code iat} lies beyond the clock-skew allowance in the future. */
  NOT_YET_VALID,
  WRONG_ISSUER,
  WRONG_AUDIENCE,
  /** A required claim ({@code exp}, {@code iat}, {@code skypeid}) is missing or malformed. */
  INVALID_CLAIMS,
  /** Valid, but lacks the scope this use requires. */
  MISSING_SCOPE,
  /** Issued at or before the identity's revocation (or the identity was deleted). */
  REVOKED,
  /** The revocation state could not be read (e.g. Redis down): refused, fail closed. */
  REVOCATION_UNAVAILABLE;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
