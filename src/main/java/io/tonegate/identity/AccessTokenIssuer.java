package io.tonegate.identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Mints Tonegate access tokens: compact JWS (ES256 or RS256) with a {@code kid} header and ACS's claim set
 * (acs-wire.md §6.1), plus {@code iss} and {@code aud} for Tonegate's own verifiers:
 *
 * <pre>
 * header:  {"alg":"ES256","kid":"&lt;RFC 7638 thumbprint&gt;","typ":"JWT"}
 * payload: {"skypeid":"acs:&lt;resource&gt;_&lt;unique&gt;","scp":1792,"csi":"1700000000","exp":1700086400,
 *           "acsScope":"chat,voip","resourceId":"&lt;resource&gt;","iat":1700000000,"iss":"...","aud":"..."}
 * </pre>
 *
 * <p>The payload is written so that its base64url form has no {@code -} or {@code _}: the Java SDK's
 * {@code CommunicationTokenCredential} decodes it with the standard base64 decoder and would throw otherwise
 * (acs-wire.md §6.2; see {@link JwtJson}). Thread-safe; the key ring is read once per token, so rotation takes
 * effect on the next token.
 */
public final class AccessTokenIssuer {

  /** The API's {@code expiresInMinutes} range and default (acs-wire.md §4.5). */
  public static final int MIN_EXPIRES_IN_MINUTES = 60;
  public static final int MAX_EXPIRES_IN_MINUTES = 1440;
  public static final int DEFAULT_EXPIRES_IN_MINUTES = 1440;
  /** The longest lifetime any token can have: how long a retired key must stay published. */
  public static final Duration MAX_TOKEN_LIFETIME = Duration.ofMinutes(MAX_EXPIRES_IN_MINUTES);

  private final String issuer;
  private final String audience;
  private final Supplier<SigningKeyRing> keys;
  private final Clock clock;

  /**
   * @param issuer the {@code iss} claim, conventionally the public endpoint URL
   * @param audience the {@code aud} claim
   * @param keys the current key ring (read per token)
   * @param clock the time source
   */
  public AccessTokenIssuer(String issuer, String audience, Supplier<SigningKeyRing> keys, Clock clock) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The validity for an {@code expiresInMinutes} request value: {@code null} means the default of 24 hours.
   *
   * @throws IllegalArgumentException outside {@value #MIN_EXPIRES_IN_MINUTES}..{@value #MAX_EXPIRES_IN_MINUTES}
   */
  public static Duration validityFromMinutes(Integer expiresInMinutes) {
    int minutes = expiresInMinutes == null ? DEFAULT_EXPIRES_IN_MINUTES : expiresInMinutes;
    if (minutes < MIN_EXPIRES_IN_MINUTES || minutes > MAX_EXPIRES_IN_MINUTES) {
      throw new IllegalArgumentException("The expiresInMinutes value must be within the range "
          + MIN_EXPIRES_IN_MINUTES + " to " + MAX_EXPIRES_IN_MINUTES + " minutes.");
    }
    return Duration.ofMinutes(minutes);
  }

  /** Mints a token valid from now for {@code validity}. */
  public IssuedToken issue(IdentityId identity, Set<TokenScope> scopes, Duration validity) {
    return issue(identity, scopes, validity, null);
  }

  /**
   * Mints a token whose {@code iat} is strictly after {@code revokedBefore}: a token issued in the same second
   * as a revocation (or on an instance whose clock lags) must not count as revoked. {@code iat} is thus at most
   * the inter-instance clock difference ahead of this clock, well inside the verifier's skew allowance.
   *
   * @param revokedBefore the identity's revocation time, or {@code null} if never revoked
   */
  public IssuedToken issue(IdentityId identity, Set<TokenScope> scopes, Duration validity, Instant revokedBefore) {
    long iat = clock.instant().getEpochSecond();
    if (revokedBefore != null && iat <= revokedBefore.getEpochSecond()) {
      iat = revokedBefore.getEpochSecond() + 1;
    }
    return issueAt(identity, scopes, validity, Instant.ofEpochSecond(iat));
  }

  /**
   * Mints a token with an explicit {@code iat}, e.g. the one the identity store reserved atomically (after the
   * identity's revocation time).
   */
  public IssuedToken issueAt(IdentityId identity, Set<TokenScope> scopes, Duration validity, Instant issuedAt) {
    return issueAt(identity, scopes, validity, issuedAt, TokenGrants.NONE);
  }

  /**
   * As {@link #issueAt(IdentityId, Set, Duration, Instant)}, narrowed by {@code grants} (written as the
   * {@value TokenGrants#CLAIM} claim when not empty).
   */
  public IssuedToken issueAt(IdentityId identity, Set<TokenScope> scopes, Duration validity, Instant issuedAt,
                             TokenGrants grants) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(grants, "grants");
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("at least one scope is required");
    }
    if (validity.compareTo(MAX_TOKEN_LIFETIME) > 0 || validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("token validity must be positive and at most " + MAX_TOKEN_LIFETIME);
    }
    long iat = issuedAt.getEpochSecond();
    long exp = iat + validity.toSeconds();
    Set<TokenScope> granted = EnumSet.copyOf(scopes);

    SigningKey key = keys.get().current();
    String header = new JwtJson.ObjectWriter()
        .field("alg", key.algorithm().name())
        .field("kid", key.kid())
        .field("typ", "JWT")
        .toJson();
    JwtJson.ObjectWriter claims = new JwtJson.ObjectWriter()
        .field("skypeid", identity.skypeId())
        .field("scp", TokenScope.bitmask(granted))
        .field("csi", Long.toString(iat))
        .field("exp", exp)
        .field("acsScope", TokenScope.wireNames(granted))
        .field("resourceId", identity.resourceId())
        .field("iat", iat)
        .field("iss", issuer)
        .field("aud", audience);
    if (!grants.isEmpty()) {
      claims.rawField(TokenGrants.CLAIM, grants.toClaimJson());
    }
    String payload = claims.toJson();
    String signingInput = JwtJson.base64Url(header.getBytes(StandardCharsets.US_ASCII)) + "."
        + JwtJson.base64Url(payload.getBytes(StandardCharsets.US_ASCII));
    byte[] signature = key.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
    String token = signingInput + "." + JwtJson.base64Url(signature);
    return new IssuedToken(token, identity, granted, Instant.ofEpochSecond(iat), Instant.ofEpochSecond(exp),
        key.kid());
  }
}
