package io.tonegate.identity;

import java.util.Arrays;
import java.util.List;

/**
 * The OpenID-style discovery document served at {@code /.well-known/openid-configuration}: enough for a generic
 * JWT library to find Tonegate's issuer and keys ({@code jwks_uri}) and verify tokens offline. Tonegate is not an
 * OpenID provider (no authorization endpoint); only the metadata members a verifier needs are present
 * (OpenID Connect Discovery 1.0 §3).
 */
public final class OpenIdConfiguration {

  private OpenIdConfiguration() {
  }

  /**
   * @param issuer the {@code iss} of Tonegate tokens
   * @param jwksUri the absolute URL of the JWKS
   * @param algorithm the algorithm tokens are signed with
   */
  public static String toJson(String issuer, String jwksUri, JwtAlgorithm algorithm) {
    List<String> scopes = Arrays.stream(TokenScope.values()).map(TokenScope::wireName).toList();
    return new JwtJson.ObjectWriter()
        .field("issuer", issuer)
        .field("jwks_uri", jwksUri)
        .field("id_token_signing_alg_values_supported", List.of(algorithm.name()))
        .field("token_endpoint_auth_methods_supported", List.of("hmac-sha256"))
        .field("response_types_supported", List.of("token"))
        .field("subject_types_supported", List.of("public"))
        .field("scopes_supported", scopes)
        .field("claims_supported", List.of("skypeid", "scp", "csi", "iat", "exp", "acsScope", "resourceId",
            "iss", "aud"))
        .toJson();
  }
}
