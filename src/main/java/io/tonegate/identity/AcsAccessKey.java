package io.tonegate.identity;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An ACS-style access key: the shared secret behind the HMAC-SHA256 request signature (acs-wire.md §5).
 *
 * <p>Keys travel as standard base64 (as the Azure portal shows them and as
 * {@code CommunicationConnectionString} expects). The secret never appears in {@link #toString()}.
 */
public final class AcsAccessKey {

  /** Shortest key we accept: 256 bits, the HMAC-SHA256 block strength. Real ACS keys are 512 bits. */
  public static final int MIN_KEY_BYTES = 32;
  /** Length of generated keys, matching ACS (88 base64 characters). */
  public static final int GENERATED_KEY_BYTES = 64;

  private final byte[] secret;

  private AcsAccessKey(byte[] secret) {
    this.secret = secret;
  }

  /**
   * Decodes a base64 key (standard alphabet, as the ACS SDKs decode it).
   *
   * @throws IllegalArgumentException if the text is not base64 or is shorter than {@link #MIN_KEY_BYTES}; the
   *     message never contains the key
   */
  public static AcsAccessKey fromBase64(String base64) {
    if (base64 == null || base64.isBlank()) {
      throw new IllegalArgumentException("access key is empty");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("access key is not valid base64");
    }
    if (bytes.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "access key is too short: " + bytes.length + " bytes, at least " + MIN_KEY_BYTES + " required");
    }
    return new AcsAccessKey(bytes);
  }

  /** Generates a fresh random key of {@link #GENERATED_KEY_BYTES} bytes. */
  public static AcsAccessKey generate(SecureRandom random) {
    byte[] bytes = new byte[GENERATED_KEY_BYTES];
    random.nextBytes(bytes);
    return new AcsAccessKey(bytes);
  }

  /** The key as standard base64, for connection strings. Treat the result as a secret. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(secret);
  }

  /** A copy of the raw secret bytes. */
  byte[] secretBytes() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AcsAccessKey other && java.security.MessageDigest.isEqual(secret, other.secret);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(secret);
  }

  @Override
  public String toString() {
    return "AcsAccessKey[" + secret.length + " bytes, redacted]";
  }
}
