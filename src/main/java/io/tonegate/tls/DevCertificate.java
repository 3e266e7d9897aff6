package io.tonegate.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * The development TLS certificate: a self-signed P-256 certificate for {@code localhost}, {@code 127.0.0.1} and
 * {@code ::1}, generated on first start and reused (re-generated within 30 days of expiry). Production configures
 * real PEM files instead ({@code tls.certPath}, {@code tls.keyPath}).
 */
public final class DevCertificate {

  public static final String CERT_FILE = "dev-cert.pem";
  public static final String KEY_FILE = "dev-key.pem";
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** The PEM files of a certificate and its private key. */
  public record PemFiles(Path certPath, Path keyPath, boolean generated) {
  }

  private DevCertificate() {
  }

  /** Returns the certificate under {@code dir}, generating it when missing or close to expiry. Blocking (file I/O). */
  public static PemFiles ensure(Path dir) {
    Path cert = dir.resolve(CERT_FILE);
    Path key = dir.resolve(KEY_FILE);
    try {
      if (Files.exists(cert) && Files.exists(key) && !expiresSoon(cert)) {
        return new PemFiles(cert, key, false);
      }
      Files.createDirectories(dir);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=localhost, O=Tonegate development");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.iPAddress, "::1")}));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));

      Files.writeString(cert, toPem(holder), StandardCharsets.UTF_8);
      Files.writeString(key, toPem(new JcaPKCS8Generator(pair.getPrivate(), null)), StandardCharsets.UTF_8);
      restrictToOwner(key);
      return new PemFiles(cert, key, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the development certificate under " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate the development certificate", e);
    }
  }

  /** Reads a PEM certificate (e.g. for a test client's trust store). */
  public static X509Certificate read(Path certPath) {
    try (var in = Files.newInputStream(certPath)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("not a PEM certificate: " + certPath, e);
    }
  }

  private static boolean expiresSoon(Path certPath) {
    try {
      return read(certPath).getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
    } catch (RuntimeException unreadable) {
      return true; // a damaged file is replaced rather than failing start-up
    }
  }

  private static String toPem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  private static void restrictToOwner(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException ignored) {
      // not a POSIX file system: the directory's permissions apply
    }
  }
}
