package io.tonegate.identity;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * JSON Web Key Sets (RFC 7517) for Tonegate's token keys: what {@code /.well-known/jwks.json} serves, and the
 * parser another service uses to verify Tonegate tokens offline.
 */
public final class Jwks {

  /** Most keys we read from one JWKS document. */
  private static final int MAX_KEYS = 32;

  private Jwks() {
  }

  /** The JWKS document for these keys (public halves only). */
  public static String toJson(Collection<SigningKey> keys) {
    StringBuilder array = new StringBuilder("[");
    for (SigningKey key : keys) {
      if (array.length() > 1) {
        array.append(',');
      }
      array.append(toJwk(key));
    }
    return new JwtJson.ObjectWriter().rawField("keys", array.append(']').toString()).toJson();
  }

  /** One public JWK with {@code kty}, {@code use}, {@code alg}, {@code kid} and the key parameters. */
  public static String toJwk(SigningKey key) {
    JwtJson.ObjectWriter jwk = new JwtJson.ObjectWriter()
        .field("kty", key.algorithm().keyType())
        .field("use", "sig")
        .field("alg", key.algorithm().name())
        .field("kid", key.kid());
    if (key.publicKey() instanceof ECPublicKey ec) {
      jwk.field("crv", "P-256")
          .field("x", ecX(ec))
          .field("y", ecY(ec));
    } else {
      RSAPublicKey rsa = (RSAPublicKey) key.publicKey();
      jwk.field("n", unsigned(rsa.getModulus())).field("e", unsigned(rsa.getPublicExponent()));
    }
    return jwk.toJson();
  }

  /**
   * Parses a JWKS document into verify-only keys. Keys of other types or algorithms are skipped, and so are keys
   * whose {@code kid} is not their RFC 7638 thumbprint (Tonegate's convention).
   *
   * @throws IllegalArgumentException if the document is not a JWKS
   */
  public static List<SigningKey> parse(String json) {
    Map<String, Object> doc = JwtJson.parseObject(json.getBytes(StandardCharsets.UTF_8));
    if (!(doc.get("keys") instanceof List<?> keys)) {
      throw new IllegalArgumentException("JWKS has no 'keys' array");
    }
    List<SigningKey> out = new ArrayList<>();
    for (Object entry : keys) {
      if (out.size() == MAX_KEYS) {
        break;
      }
      if (entry instanceof Map<?, ?> jwk) {
        try {
          SigningKey key = fromJwk(jwk);
          if (key != null && key.kid().equals(jwk.get("kid"))) {
            out.add(key);
          }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
          // a malformed key is skipped; the others still verify
        }
      }
    }
    return out;
  }

  private static SigningKey fromJwk(Map<?, ?> jwk) throws GeneralSecurityException {
    JwtAlgorithm alg = JwtAlgorithm.fromJwsName(String.valueOf(jwk.get("alg"))).orElse(null);
    if (alg == null || !alg.keyType().equals(jwk.get("kty"))) {
      return null;
    }
    Base64.Decoder b64 = Base64.getUrlDecoder();
    PublicKey publicKey;
    if (alg == JwtAlgorithm.ES256) {
      if (!"P-256".equals(jwk.get("crv"))) {
        return null;
      }
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      ECPoint w = new ECPoint(new BigInteger(1, b64.decode((String) jwk.get("x"))),
          new BigInteger(1, b64.decode((String) jwk.get("y"))));
      publicKey = KeyFactory.getInstance("EC")
          .generatePublic(new ECPublicKeySpec(w, params.getParameterSpec(ECParameterSpec.class)));
    } else {
      publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
          new BigInteger(1, b64.decode((String) jwk.get("n"))),
          new BigInteger(1, b64.decode((String) jwk.get("e")))));
    }
    return SigningKey.verifyOnly(alg, publicKey, Instant.EPOCH);
  }

  /** The RFC 7638 JWK SHA-256 thumbprint, base64url: Tonegate's {@code kid}. */
  static String thumbprint(SigningKey key) {
    String canonical;   // required members only, in lexicographic order, no whitespace (RFC 7638 §3)
    if (key.publicKey() instanceof ECPublicKey ec) {
      canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + ecX(ec) + "\",\"y\":\"" + ecY(ec) + "\"}";
    } else {
      RSAPublicKey rsa = (RSAPublicKey) key.publicKey();
      canonical = "{\"e\":\"" + unsigned(rsa.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\""
          + unsigned(rsa.getModulus()) + "\"}";
    }
    return JwtJson.base64Url(AcsHmac.sha256(canonical.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String ecX(ECPublicKey ec) {
    return JwtJson.base64Url(SigningKey.p256Coordinate(ec.getW().getAffineX()));
  }

  private static String ecY(ECPublicKey ec) {
    return JwtJson.base64Url(SigningKey.p256Coordinate(ec.getW().getAffineY()));
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return JwtJson.base64Url(bytes);
  }
}
