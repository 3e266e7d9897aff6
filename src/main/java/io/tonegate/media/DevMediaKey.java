package io.tonegate.media;

import io.tonegate.auth.JwkSet;
import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.tonegate.auth.VerificationKey;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The development signing key of the ACS call simulator: an RSA key in {@code <dataDir>/dev/acs-media-dev-key.pem}
 * (PKCS#8, owner-only permissions), created by the gateway at start when {@code devMode} is true.
 *
 * <p>Why a file: the simulator runs as another process on the same machine and must sign ACS-style JWTs. Sharing
 * the key through the data directory means the key is never served over the network, and the gateway trusts it only
 * when {@code devMode} is true (it is not even read otherwise). Tokens it signs carry the real ACS issuer and the
 * dev audience ({@code media.devAudience}), so the same validation path as production is exercised.
 */
public final class DevMediaKey {

  public static final String FILE = "acs-media-dev-key.pem";

  private final String kid;
  private final PrivateKey privateKey;
  private final RSAPublicKey publicKey;

  private DevMediaKey(PrivateKey privateKey, RSAPublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.kid = "tonegate-dev-" + thumbprint(publicKey);
  }

  /** The key under {@code dataDir}, created when missing (blocking file I/O: call at start-up only). */
  public static DevMediaKey ensure(Path dataDir) {
    Path file = path(dataDir);
    if (Files.exists(file)) {
      return load(dataDir).orElseThrow();
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      PrivateKey key = generator.generateKeyPair().getPrivate();
      Files.createDirectories(file.getParent());
      String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
      Path tmp = file.resolveSibling(FILE + ".tmp");
      Files.writeString(tmp, pem, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      restrict(tmp);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return load(dataDir).orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dev media key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate the dev media key", e);
    }
  }

  /** The key under {@code dataDir}, if the gateway created one. */
  public static Optional<DevMediaKey> load(Path dataDir) {
    Path file = path(dataDir);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String pem = Files.readString(file, StandardCharsets.US_ASCII);
      String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      KeyFactory factory = KeyFactory.getInstance("RSA");
      PrivateKey key = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
      RSAPrivateCrtKey crt = (RSAPrivateCrtKey) key;
      RSAPublicKey pub = (RSAPublicKey) factory.generatePublic(
          new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
      return Optional.of(new DevMediaKey(key, pub));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dev media key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("the dev media key " + file + " is not a PKCS#8 RSA key; delete it to regenerate");
    }
  }

  public static Path path(Path dataDir) {
    return dataDir.resolve("dev").resolve(FILE);
  }

  public String kid() {
    return kid;
  }

  /** The public half, for the gateway's ACS validator. */
  public JwkSet jwkSet() {
    return JwkSet.of(List.of(new VerificationKey(kid, Optional.of(JwsAlgorithm.RS256), publicKey)));
  }

  /** An ACS-style media JWT (acs-wire.md §1.1): RS256, the ACS issuer, {@code audience}, valid for {@code ttl}. */
  public String signMediaToken(String issuer, String audience, Duration ttl) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("iss", issuer).put("aud", audience).put("iat", now).put("nbf", now)
        .put("exp", now + ttl.toSeconds());
    return JwtSigner.sign(JwsAlgorithm.RS256, kid, privateKey, claims);
  }

  /** Signs arbitrary claims with this key (tests forge expired or foreign tokens with it). */
  public String sign(JsonObject claims) {
    return JwtSigner.sign(JwsAlgorithm.RS256, kid, privateKey, claims);
  }

  private static String thumbprint(RSAPublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getModulus().toByteArray());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): the data directory's own permissions apply
    }
  }
}
