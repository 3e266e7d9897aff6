package io.tonegate.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The validation steps as a flat list of checks, each failing with its own {@link AuthFailure}; no I/O, no Vert.x
 * event loop, no clock of its own (tests pass the time). {@link JwtValidator} wires them to key sources.
 *
 * <ol>
 *   <li>{@link #parse}: length, three unpadded base64url segments, JSON header and payload, no {@code crit}, an
 *       allowed {@code alg} ({@code none} and {@code HS*} are never allowed), a {@code kid};</li>
 *   <li>{@link #verify}: the key fits the algorithm, the signature, {@code exp} (required), {@code nbf} and
 *       {@code iat} with the clock-skew allowance, {@code iss}, {@code aud}.</li>
 * </ol>
 * Keys come only from the configured source, never from {@code jku}/{@code jwk}/{@code x5u} headers.
 */
public final class JwtChecks {

  private JwtChecks() {
  }

  public static ParsedJwt parse(String token, int maxLength, Set<JwsAlgorithm> allowed) {
    if (token == null || token.isEmpty()) {
      throw fail(AuthFailure.MISSING_TOKEN, "no token");
    }
    if (token.length() > maxLength) {
      throw fail(AuthFailure.MALFORMED, "token longer than " + maxLength);
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || token.indexOf('.', dot2 + 1) >= 0) {
      throw fail(AuthFailure.MALFORMED, "not three dot-separated segments");
    }
    JsonObject header = json(token.substring(0, dot1), "header");
    if (header.containsKey("crit")) {
      throw fail(AuthFailure.MALFORMED, "critical header parameters are not supported");
    }
    JwsAlgorithm alg = header.getValue("alg") instanceof String name
        ? JwsAlgorithm.fromJwsName(name).orElse(null) : null;
    if (alg == null || !allowed.contains(alg)) {
      throw fail(AuthFailure.ALGORITHM_NOT_ALLOWED, "alg is not allowed");
    }
    if (dot2 == token.length() - 1) {
      throw fail(AuthFailure.MALFORMED, "no signature");
    }
    if (!(header.getValue("kid") instanceof String kid) || kid.isEmpty()) {
      throw fail(AuthFailure.UNKNOWN_KEY, "token has no kid");
    }
    JsonObject claims = json(token.substring(dot1 + 1, dot2), "payload");
    byte[] signature = base64Url(token.substring(dot2 + 1), "signature");
    return new ParsedJwt(header, claims, alg, kid, token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII),
        signature);
  }

  /**
   * Verifies the signature with {@code key} and checks the claims against {@code policy} at {@code now}.
   *
   * @param issuer    required {@code iss}, or null to skip
   * @param audiences {@code aud} must contain one of them; empty to skip
   */
  public static ValidatedJwt verify(ParsedJwt jwt, VerificationKey key, String issuer, List<String> audiences,
                                    long clockSkewSeconds, Instant now) {
    if (!key.supports(jwt.algorithm())) {
      throw fail(AuthFailure.ALGORITHM_NOT_ALLOWED, "alg does not match the key");
    }
    if (!key.verify(jwt.algorithm(), jwt.signingInput(), jwt.signature())) {
      throw fail(AuthFailure.BAD_SIGNATURE, "signature does not verify");
    }
    JsonObject claims = jwt.claims();
    long nowSeconds = now.getEpochSecond();
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw fail(AuthFailure.INVALID_CLAIMS, "exp is missing");
    }
    if (nowSeconds >= exp + clockSkewSeconds) {
      throw fail(AuthFailure.EXPIRED, "token expired");
    }
    Long nbf = numericDate(claims, "nbf");
    if (nbf != null && nbf > nowSeconds + clockSkewSeconds) {
      throw fail(AuthFailure.NOT_YET_VALID, "token not valid yet");
    }
    Long iat = numericDate(claims, "iat");
    if (iat != null && iat > nowSeconds + clockSkewSeconds) {
      throw fail(AuthFailure.NOT_YET_VALID, "token issued in the future");
    }
    if (issuer != null && !issuer.equals(claims.getValue("iss"))) {
      throw fail(AuthFailure.WRONG_ISSUER, "iss does not match");
    }
    if (!audiences.isEmpty() && !audienceMatches(claims.getValue("aud"), audiences)) {
      throw fail(AuthFailure.WRONG_AUDIENCE, "aud does not match");
    }
    return new ValidatedJwt(jwt.kid(), jwt.algorithm(), claims, Instant.ofEpochSecond(exp));
  }

  /** The token of an {@code Authorization} header value: {@code Bearer <token>} (scheme case-insensitive). */
  public static String bearerToken(String authorization) {
    if (authorization == null) {
      throw fail(AuthFailure.MISSING_TOKEN, "no Authorization header");
    }
    String value = authorization.trim();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw fail(AuthFailure.MISSING_TOKEN, "Authorization is not a Bearer token");
    }
    String token = value.substring(7).trim();
    if (token.isEmpty()) {
      throw fail(AuthFailure.MISSING_TOKEN, "empty Bearer token");
    }
    return token;
  }

  private static boolean audienceMatches(Object aud, List<String> audiences) {
    if (aud instanceof String s) {
      return audiences.contains(s);
    }
    if (aud instanceof JsonArray list) {
      for (Object item : list) {
        if (item instanceof String s && audiences.contains(s)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Long numericDate(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      return (long) Math.floor(n.doubleValue());
    }
    throw fail(AuthFailure.INVALID_CLAIMS, name + " is not a number");
  }

  private static JsonObject json(String segment, String what) {
    byte[] bytes = base64Url(segment, what);
    try {
      return new JsonObject(new String(bytes, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw fail(AuthFailure.MALFORMED, what + " is not a JSON object");
    }
  }

  private static byte[] base64Url(String segment, String what) {
    if (segment.indexOf('=') >= 0) {
      throw fail(AuthFailure.MALFORMED, what + " is padded");
    }
    try {
      return Base64.getUrlDecoder().decode(segment);
    } catch (IllegalArgumentException e) {
      throw fail(AuthFailure.MALFORMED, what + " is not base64url");
    }
  }

  static JwtValidationException fail(AuthFailure reason, String message) {
    return new JwtValidationException(reason, message);
  }
}
