package io.tonegate.apptoken;

import java.util.Locale;

/** How a {@code POST /api/token} request ended: the bounded {@code outcome} tag of {@code tonegate.apptoken.requests}. */
public enum AppTokenOutcome {
  /** 200: identity and token returned. */
  ISSUED,
  /** 400: malformed body, unknown scope, expiry out of range, invalid grants. */
  BAD_REQUEST,
  /** 401: no bearer token, or it was refused (reason in {@code tonegate.auth.failures{validator="apptoken-<name>"}}). */
  UNAUTHENTICATED,
  /** 403: the policy does not allow a requested scope. */
  SCOPE_DENIED,
  /** 429: too many requests from this IP address. */
  RATE_LIMITED_IP,
  /** 429: too many requests for this user. */
  RATE_LIMITED_USER,
  /** 503: the provider's keys could not be loaded (never loaded, endpoint down). */
  PROVIDER_UNAVAILABLE,
  /** 503: Redis (identities, rate limits) or the signing keys unavailable. */
  UNAVAILABLE;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
