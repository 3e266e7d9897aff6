package io.tonegate.auth;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A public key from a JWKS, with its {@code kid} and, when the JWK named one, its algorithm.
 *
 * @param kid       the key id tokens name in their header
 * @param algorithm the JWK's {@code alg}, empty when the JWK did not say (Entra and ACS often omit it)
 * @param publicKey an RSA (at least 2048 bits) or P-256 EC public key
 */
public record VerificationKey(String kid, Optional<JwsAlgorithm> algorithm, PublicKey publicKey) {

  public VerificationKey {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(publicKey, "publicKey");
  }

  /** True when this key may verify {@code alg}: the key type fits and the JWK's own {@code alg}, if any, agrees. */
  public boolean supports(JwsAlgorithm alg) {
    if (algorithm.isPresent() && algorithm.get() != alg) {
      return false;
    }
    return switch (alg) {
      case RS256 -> publicKey instanceof RSAPublicKey;
      case ES256 -> publicKey instanceof ECPublicKey;
    };
  }

  /** Verifies a JWS signature. Never throws for bad input; returns false. */
  public boolean verify(JwsAlgorithm alg, byte[] signingInput, byte[] signature) {
    if (!supports(alg)) {
      return false;
    }
    if (alg == JwsAlgorithm.ES256 && signature.length != 64) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(alg.jcaName());
      verifier.initVerify(publicKey);
      verifier.update(signingInput);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
