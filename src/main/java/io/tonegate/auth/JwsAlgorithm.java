package io.tonegate.auth;

import java.util.Optional;

/**
 * The JWS algorithms an external token may use. Deliberately closed: {@code none} and the HMAC family are not here,
 * so a published public key can never be (mis)used as an HMAC secret (the classic RS256/HS256 confusion).
 */
public enum JwsAlgorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3): ACS, Entra ID. */
  RS256("RSA", "SHA256withRSA"),
  /** ECDSA P-256 with SHA-256, signature R||S (RFC 7518 §3.4). */
  ES256("EC", "SHA256withECDSAinP1363Format");

  private final String keyType;
  private final String jcaName;

  JwsAlgorithm(String keyType, String jcaName) {
    this.keyType = keyType;
    this.jcaName = jcaName;
  }

  /** The JWK {@code kty} of keys for this algorithm. */
  public String keyType() {
    return keyType;
  }

  String jcaName() {
    return jcaName;
  }

  /** The algorithm with exactly this JWS name; empty for anything else ({@code none}, {@code HS256}, ...). */
  public static Optional<JwsAlgorithm> fromJwsName(String name) {
    for (JwsAlgorithm alg : values()) {
      if (alg.name().equals(name)) {
        return Optional.of(alg);
      }
    }
    return Optional.empty();
  }
}
