package io.tonegate.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed JSON Web Key Set (RFC 7517): the usable signature keys by {@code kid}.
 *
 * <p>Lenient where real issuers differ (no {@code alg}, extra members such as {@code x5c}/{@code x5t}), strict where
 * it matters: only RSA keys of at least {@value #RSA_MIN_BITS} bits and P-256 EC keys, only {@code use} absent or
 * {@code sig}, at most {@value #MAX_KEYS} keys, the first key wins for a duplicated {@code kid}. A malformed key is
 * skipped so the others still verify. Immutable.
 */
public final class JwkSet {

  static final int RSA_MIN_BITS = 2048;
  static final int MAX_KEYS = 64;

  private final Map<String, VerificationKey> byKid;

  private JwkSet(Map<String, VerificationKey> byKid) {
    this.byKid = byKid;
  }

  public static JwkSet of(List<VerificationKey> keys) {
    Map<String, VerificationKey> map = new LinkedHashMap<>();
    for (VerificationKey key : keys) {
      map.putIfAbsent(key.kid(), key);
    }
    return new JwkSet(Map.copyOf(map));
  }

  public static JwkSet empty() {
    return new JwkSet(Map.of());
  }

  /**
   * Parses a JWKS document.
   *
   * @throws IllegalArgumentException when it is not JSON or has no {@code keys} array
   */
  public static JwkSet parse(String json) {
    JsonObject doc;
    try {
      doc = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("JWKS is not a JSON object");
    }
    if (!(doc.getValue("keys") instanceof JsonArray keys)) {
      throw new IllegalArgumentException("JWKS has no 'keys' array");
    }
    List<VerificationKey> out = new ArrayList<>();
    for (Object entry : keys) {
      if (out.size() == MAX_KEYS) {
        break;
      }
      if (entry instanceof JsonObject jwk) {
        fromJwk(jwk).ifPresent(out::add);
      }
    }
    return of(out);
  }

  /** One JWK as a verification key; empty when unusable (wrong type, use, size, or malformed). */
  public static Optional<VerificationKey> fromJwk(JsonObject jwk) {
    try {
      if (!(jwk.getValue("kid") instanceof String kid) || kid.isEmpty()) {
        return Optional.empty();
      }
      Object use = jwk.getValue("use");
      if (use != null && !"sig".equals(use)) {
        return Optional.empty();
      }
      Optional<JwsAlgorithm> alg = Optional.empty();
      if (jwk.getValue("alg") instanceof String name) {
        alg = JwsAlgorithm.fromJwsName(name);
        if (alg.isEmpty()) {
          return Optional.empty(); // a key for an algorithm we never accept
        }
      }
      Base64.Decoder b64 = Base64.getUrlDecoder();
      PublicKey key;
      if ("RSA".equals(jwk.getValue("kty"))) {
        key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
            new BigInteger(1, b64.decode(jwk.getString("n"))), new BigInteger(1, b64.decode(jwk.getString("e")))));
        if (((RSAPublicKey) key).getModulus().bitLength() < RSA_MIN_BITS) {
          return Optional.empty();
        }
      } else if ("EC".equals(jwk.getValue("kty")) && "P-256".equals(jwk.getValue("crv"))) {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECPoint w = new ECPoint(new BigInteger(1, b64.decode(jwk.getString("x"))),
            new BigInteger(1, b64.decode(jwk.getString("y"))));
        key = KeyFactory.getInstance("EC")
            .generatePublic(new ECPublicKeySpec(w, params.getParameterSpec(ECParameterSpec.class)));
      } else {
        return Optional.empty();
      }
      VerificationKey vk = new VerificationKey(kid, alg, key);
      if (alg.isPresent() && !vk.supports(alg.get())) {
        return Optional.empty();
      }
      return Optional.of(vk);
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /** A public key as a JWK ({@code kty}, {@code use}, {@code alg}, {@code kid} and the key parameters). */
  public static JsonObject toJwk(String kid, JwsAlgorithm alg, PublicKey key) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    JsonObject jwk = new JsonObject().put("kty", alg.keyType()).put("use", "sig").put("alg", alg.name())
        .put("kid", kid);
    if (key instanceof RSAPublicKey rsa) {
      jwk.put("n", b64.encodeToString(unsigned(rsa.getModulus())))
          .put("e", b64.encodeToString(unsigned(rsa.getPublicExponent())));
    } else if (key instanceof ECPublicKey ec) {
      jwk.put("crv", "P-256")
          .put("x", b64.encodeToString(fixed(ec.getW().getAffineX(), 32)))
          .put("y", b64.encodeToString(fixed(ec.getW().getAffineY(), 32)));
    } else {
      throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    }
    return jwk;
  }

  public Optional<VerificationKey> find(String kid) {
    return Optional.ofNullable(byKid.get(kid));
  }

  public int size() {
    return byKid.size();
  }

  public boolean isEmpty() {
    return byKid.isEmpty();
  }

  /** This set plus the keys of {@code other} whose kid is not already here. */
  public JwkSet plus(JwkSet other) {
    Map<String, VerificationKey> map = new LinkedHashMap<>(byKid);
    other.byKid.forEach(map::putIfAbsent);
    return new JwkSet(Map.copyOf(map));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      return java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return bytes;
  }

  private static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = unsigned(value);
    byte[] out = new byte[length];
    System.arraycopy(bytes, Math.max(0, bytes.length - length), out, Math.max(0, length - bytes.length),
        Math.min(length, bytes.length));
    return out;
  }
}
