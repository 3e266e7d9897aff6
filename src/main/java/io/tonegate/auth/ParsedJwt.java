package io.tonegate.auth;

import io.vertx.core.json.JsonObject;

/**
 * A JWT split and decoded but <em>not yet trusted</em>: only {@link JwtChecks#parse} creates it, and only
 * {@link JwtChecks#verify} turns it into a {@link ValidatedJwt}.
 */
public record ParsedJwt(JsonObject header, JsonObject claims, JwsAlgorithm algorithm, String kid,
                        byte[] signingInput, byte[] signature) {
}
