package io.tonegate.identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Verifies Tonegate access tokens (those {@link AccessTokenIssuer} mints), offline, in a flat list of checks each
 * with its own {@link TokenRejection}:
 * <ol>
 *   <li>shape: at most {@value #MAX_TOKEN_LENGTH} characters, three unpadded base64url segments, JSON header and
 *   payload, no {@code crit} header;</li>
 *   <li>{@code alg} on the allow-list (ES256/RS256 only: {@code none} and {@code HS*} are refused outright) and
 *   equal to the algorithm of the key named by {@code kid};</li>
 *   <li>the signature;</li>
 *   <li>{@code exp}, {@code nbf} and {@code iat} against the clock with a small skew allowance;</li>
 *   <li>{@code iss} and {@code aud};</li>
 *   <li>{@code skypeid} a well-formed identity;</li>
 *   <li>optionally a required scope, and the identity's revocation time ({@link RevocationLookup}).</li>
 * </ol>
 * Keys come only from the resolver (never from {@code jku}/{@code jwk}/{@code x5u} headers). Thread-safe.
 *
 * <pre>{@code
 * AccessTokenVerifier verifier = new AccessTokenVerifier(kid -> ringRef.get().find(kid), issuer, audience,
 *         AccessTokenVerifier.DEFAULT_CLOCK_SKEW, Clock.systemUTC());
 * verifier.verify(jwt, TokenScope.MEDIA, revocations)      // CompletionStage<VerifiedToken>
 *         .whenComplete((token, error) -> ...);             // error: TokenRejectedException with a reason
 * }</pre>
 */
public final class AccessTokenVerifier {

  /** Tolerated clock difference for exp/nbf/iat between the issuing and the verifying instance. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  /** Longest token accepted; ours are about 500 characters. */
  public static final int MAX_TOKEN_LENGTH = 8192;

  /** Looks a key up by {@code kid}. {@code SigningKeyRing::find} is one. */
  @FunctionalInterface
  public interface KeyResolver {
    Optional<SigningKey> find(String kid);
  }

  private final KeyResolver keys;
  private final String issuer;
  private final String audience;
  private final Duration clockSkew;
  private final Set<JwtAlgorithm> allowedAlgorithms;
  private final Clock clock;

  public AccessTokenVerifier(KeyResolver keys, String issuer, String audience, Duration clockSkew, Clock clock) {
    this(keys, issuer, audience, clockSkew, EnumSet.allOf(JwtAlgorithm.class), clock);
  }

  /** As above with an explicit algorithm allow-list (e.g. only ES256). */
  public AccessTokenVerifier(KeyResolver keys, String issuer, String audience, Duration clockSkew,
                 Set<JwtAlgorithm> allowedAlgorithms, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    this.allowedAlgorithms = Collections.unmodifiableSet(EnumSet.copyOf(allowedAlgorithms));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Verifies a token's form, signature, times, issuer and audience (not scope, not revocation).
   *
   * @throws TokenRejectedException with the reason
   */
  public VerifiedToken verify(String jwt) {
    if (jwt == null || jwt.isEmpty() || jwt.length() > MAX_TOKEN_LENGTH) {
      throw reject(TokenRejection.MALFORMED, "token is empty or longer than " + MAX_TOKEN_LENGTH);
    }
    int dot1 = jwt.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : jwt.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 == jwt.length() - 1 || jwt.indexOf('.', dot2 + 1) >= 0) {
      throw reject(TokenRejection.MALFORMED, "token is not three dot-separated segments");
    }
    Map<String, Object> header = json(jwt.substring(0, dot1), "header");
    if (header.containsKey("crit")) {
      throw reject(TokenRejection.MALFORMED, "critical header parameters are not supported");
    }
    Object typ = header.get("typ");
    if (typ != null && !"JWT".equalsIgnoreCase(String.valueOf(typ))) {
      throw reject(TokenRejection.MALFORMED, "typ is not JWT");
    }
    Optional<JwtAlgorithm> alg = header.get("alg") instanceof String name
        ? JwtAlgorithm.fromJwsName(name) : Optional.empty();
    if (alg.isEmpty() || !allowedAlgorithms.contains(alg.get())) {
      throw reject(TokenRejection.ALGORITHM_NOT_ALLOWED, "alg is not allowed");
    }
    if (!(header.get("kid") instanceof String kid) || kid.isEmpty()) {
      throw reject(TokenRejection.UNKNOWN_KEY, "token has no kid");
    }
    SigningKey key = keys.find(kid).orElseThrow(() -> reject(TokenRejection.UNKNOWN_KEY, "unknown kid"));
    if (key.algorithm() != alg.get()) {
      throw reject(TokenRejection.ALGORITHM_NOT_ALLOWED, "alg does not match the key's algorithm");
    }
    byte[] signature = base64Url(jwt.substring(dot2 + 1), "signature");
    if (!key.verify(jwt.substring(0, dot2).getBytes(StandardCharsets.US_ASCII), signature)) {
      throw reject(TokenRejection.BAD_SIGNATURE, "signature does not verify");
    }

    Map<String, Object> claims = json(jwt.substring(dot1 + 1, dot2), "payload");
    long now = clock.instant().getEpochSecond();
    long skew = clockSkew.toSeconds();
    long exp = numericDate(claims, "exp");
    long iat = numericDate(claims, "iat");
    if (now > exp + skew) {
      throw reject(TokenRejection.EXPIRED, "token expired");
    }
    if (iat > now + skew) {
      throw reject(TokenRejection.NOT_YET_VALID, "token issued in the future");
    }
    if (claims.containsKey("nbf") && numericDate(claims, "nbf") > now + skew) {
      throw reject(TokenRejection.NOT_YET_VALID, "token not valid yet");
    }
    if (!issuer.equals(claims.get("iss"))) {
      throw reject(TokenRejection.WRONG_ISSUER, "iss does not match");
    }
    Object aud = claims.get("aud");
    if (!(audience.equals(aud) || (aud instanceof List<?> list && list.contains(audience)))) {
      throw reject(TokenRejection.WRONG_AUDIENCE, "aud does not match");
    }
    IdentityId identity = (claims.get("skypeid") instanceof String skypeId
        ? IdentityId.fromSkypeId(skypeId) : Optional.<IdentityId>empty())
        .orElseThrow(() -> reject(TokenRejection.INVALID_CLAIMS, "skypeid is missing or malformed"));
    Set<TokenScope> scopes = EnumSet.noneOf(TokenScope.class);
    if (claims.get("acsScope") instanceof String acsScope) {
      for (String name : acsScope.split(",")) {
        TokenScope.fromWireName(name).ifPresent(scopes::add);   // unknown names: from a newer issuer
      }
    }
    return new VerifiedToken(identity, Collections.unmodifiableSet(scopes), Instant.ofEpochSecond(iat),
        Instant.ofEpochSecond(exp), kid, Collections.unmodifiableMap(claims));
  }

  /**
   * {@link #verify(String)} plus a required scope.
   *
   * @throws TokenRejectedException with the reason
   */
  public VerifiedToken verify(String jwt, TokenScope requiredScope) {
    VerifiedToken token = verify(jwt);
    if (!token.hasScope(requiredScope)) {
      throw reject(TokenRejection.MISSING_SCOPE, "token lacks scope " + requiredScope.wireName());
    }
    return token;
  }

  /**
   * The full check: {@link #verify(String, TokenScope)}, then the identity's revocation time. The stage fails
   * with a {@link TokenRejectedException}; a failing lookup is {@link TokenRejection#REVOCATION_UNAVAILABLE}
   * (fail closed). Signature work runs on the calling thread before the lookup starts.
   */
  public CompletionStage<VerifiedToken> verify(String jwt, TokenScope requiredScope, RevocationLookup revocations) {
    VerifiedToken token;
    try {
      token = verify(jwt, requiredScope);
    } catch (TokenRejectedException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletionStage<Optional<Instant>> lookup;
    try {
      lookup = revocations.revokedBefore(token.identityId());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(reject(TokenRejection.REVOCATION_UNAVAILABLE, e.getMessage()));
    }
    CompletableFuture<VerifiedToken> result = new CompletableFuture<>();
    lookup.whenComplete((revokedBefore, error) -> {
      if (error != null) {
        result.completeExceptionally(reject(TokenRejection.REVOCATION_UNAVAILABLE,
            "revocation state unavailable"));
      } else if (token.isRevokedBy(revokedBefore == null ? null : revokedBefore.orElse(null))) {
        result.completeExceptionally(reject(TokenRejection.REVOKED, "token was revoked"));
      } else {
        result.complete(token);
      }
    });
    return result;
  }

  private static Map<String, Object> json(String segment, String what) {
    try {
      return JwtJson.parseObject(base64Url(segment, what));
    } catch (IllegalArgumentException e) {
      throw reject(TokenRejection.MALFORMED, what + " is not a JSON object");
    }
  }

  private static byte[] base64Url(String segment, String what) {
    if (segment.indexOf('=') >= 0) {
      throw reject(TokenRejection.MALFORMED, what + " is padded");
    }
    try {
      return Base64.getUrlDecoder().decode(segment);
    } catch (IllegalArgumentException e) {
      throw reject(TokenRejection.MALFORMED, what + " is not base64url");
    }
  }

  private static long numericDate(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof Double d && Double.isFinite(d)) {
      return (long) Math.floor(d);
    }
    throw reject(TokenRejection.INVALID_CLAIMS, name + " is missing or not a number");
  }

  private static TokenRejectedException reject(TokenRejection reason, String message) {
    return new TokenRejectedException(reason, message);
  }

  /** A resolver over a changing ring, e.g. {@code AccessTokenVerifier.resolver(ringRef::get)}. */
  public static KeyResolver resolver(java.util.function.Supplier<SigningKeyRing> ring) {
    return kid -> ring.get().find(kid);
  }

  /** A resolver over a fixed key list (e.g. {@link Jwks#parse(String)}). */
  public static KeyResolver resolver(List<SigningKey> keys) {
    Map<String, SigningKey> byKid = keys.stream()
        .collect(java.util.stream.Collectors.toUnmodifiableMap(SigningKey::kid, Function.identity(), (a, b) -> a));
    return kid -> Optional.ofNullable(byKid.get(kid));
  }
}
