package io.tonegate.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * ACS-style media JWTs (acs-wire.md §1.1: RS256, the ACS issuer) signed with the development key a gateway in
 * {@code devMode} creates under {@code <dataDir>/dev/acs-media-dev-key.pem} and trusts for the audience
 * {@code media.devAudience}: what {@code io.tonegate.media.DevMediaKey.signMediaToken} produces.
 *
 * <p>Not reused from Tonegate because {@code DevMediaKey} builds its claims with Vert.x's {@code JsonObject}, which
 * the load tests deliberately do not have on their classpath (no Vert.x/Netty next to Gatling's). The key id rule
 * ({@code tonegate-dev-} + the first 8 bytes of SHA-256 of the modulus, hex) must stay the same as DevMediaKey's.
 */
public final class DevAcsToken {

  public static final String ACS_ISSUER = "https://acscallautomation.communication.azure.com";
  public static final String DEV_AUDIENCE = "tonegate-dev-acs-resource";

  private final PrivateKey key;
  private final String kid;

  private DevAcsToken(PrivateKey key, String kid) {
    this.key = key;
    this.kid = kid;
  }

  /** The key of the gateway whose data dir is {@code -Dtonegate.dataDir} (run.sh passes it). */
  public static DevAcsToken fromDataDir() {
    String dir = System.getProperty("tonegate.dataDir", "").trim();
    if (dir.isEmpty()) {
      throw new IllegalStateException("no -Dtonegate.dataDir: the media simulation signs with the gateway's dev key");
    }
    return load(Path.of(dir, "dev", "acs-media-dev-key.pem"));
  }

  public static DevAcsToken load(Path pemFile) {
    try {
      String pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
      String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey key = KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(((RSAPrivateCrtKey) key).getModulus().toByteArray());
      return new DevAcsToken(key, "tonegate-dev-" + HexFormat.of().formatHex(digest, 0, 8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the gateway's dev media key " + pemFile
          + " (is the gateway in devMode?)", e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("the dev media key " + pemFile + " is not a PKCS#8 RSA key", e);
    }
  }

  /** A token for {@code audience}, valid from now for {@code ttl}. */
  public String sign(String audience, Duration ttl) {
    return sign(audience, ttl, null);
  }

  /**
   * {@code count} distinct tokens for {@code audience} (each its own {@code jti}), valid from now for {@code ttl}.
   * A load test signs them before the load starts: RS256 signing is BigInteger arithmetic that runs slowly until
   * the JIT has compiled it, and once per call it would stall the load client's event loop mid-run.
   */
  public List<String> signMany(String audience, Duration ttl, int count) {
    List<String> tokens = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tokens.add(sign(audience, ttl, "loadtest-" + i + "-" + System.nanoTime()));
    }
    return List.copyOf(tokens);
  }

  private String sign(String audience, Duration ttl, String jti) {
    long now = Instant.now().getEpochSecond();
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
    String claims = "{\"iss\":\"" + ACS_ISSUER + "\",\"aud\":\"" + audience + "\",\"iat\":" + now + ",\"nbf\":" + now
        + ",\"exp\":" + (now + ttl.toSeconds()) + (jti == null ? "" : ",\"jti\":\"" + jti + "\"") + "}";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a dev media token", e);
    }
  }
}
