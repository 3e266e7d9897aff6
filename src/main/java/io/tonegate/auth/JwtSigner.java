package io.tonegate.auth;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs compact JWS tokens with RS256 or ES256 (JDK crypto only). Used by the ACS call simulator, which must present
 * an ACS-style media JWT, and by tests; Tonegate's own tokens are minted by {@code io.tonegate.identity}.
 */
public final class JwtSigner {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private JwtSigner() {
  }

  /** {@code base64url(header).base64url(claims).base64url(signature)} with {@code alg} and {@code kid} set. */
  public static String sign(JwsAlgorithm alg, String kid, PrivateKey key, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg.name()).put("kid", kid).put("typ", "JWT");
    return signRaw(header, claims, alg, key);
  }

  /** Signs with exactly this header (tests use it to forge headers). */
  public static String signRaw(JsonObject header, JsonObject claims, JwsAlgorithm alg, PrivateKey key) {
    String input = encode(header) + "." + encode(claims);
    try {
      Signature signer = Signature.getInstance(alg.jcaName());
      signer.initSign(key);
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(alg + " signing failed", e);
    }
  }

  /** base64url of a JSON object's UTF-8 encoding. */
  public static String encode(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
