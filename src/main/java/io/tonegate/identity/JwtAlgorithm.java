package io.tonegate.identity;

import java.util.Optional;

/**
 * The JWS algorithms Tonegate signs and accepts. Deliberately closed: {@code none} and the HMAC family
 * ({@code HS256}...) are never accepted, so a public key can never be misused as an HMAC secret.
 */
public enum JwtAlgorithm {
  /** ECDSA P-256 with SHA-256, signature R||S (RFC 7518 §3.4). The default: fast to sign, small tokens. */
  ES256("EC"),
  /** RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), as ACS signs its own tokens. Signing is ~10x slower. */
  RS256("RSA");

  private final String keyType;

  JwtAlgorithm(String keyType) {
    this.keyType = keyType;
  }

  /** The JWK {@code kty} of keys for this algorithm. */
  public String keyType() {
    return keyType;
  }

  /** The algorithm with this exact JWS name ({@code "ES256"}); empty for anything else, including "none". */
  public static Optional<JwtAlgorithm> fromJwsName(String name) {
    for (JwtAlgorithm alg : values()) {
      if (alg.name().equals(name)) {
        return Optional.of(alg);
      }
    }
    return Optional.empty();
  }
}
