package io.tonegate.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Optional;

/**
 * A token whose algorithm, signature, validity period, issuer and audience were checked.
 *
 * @param claims every payload claim as parsed
 */
public record ValidatedJwt(String kid, JwsAlgorithm algorithm, JsonObject claims, Instant expiresAt) {

  public Optional<String> issuer() {
    return stringClaim("iss");
  }

  public Optional<String> subject() {
    return stringClaim("sub");
  }

  /** A string claim, empty when absent or not a string. */
  public Optional<String> stringClaim(String name) {
    return claims.getValue(name) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** True when {@code aud} is {@code audience} or an array containing it. */
  public boolean hasAudience(String audience) {
    Object aud = claims.getValue("aud");
    return audience.equals(aud) || (aud instanceof JsonArray list && list.contains(audience));
  }
}
