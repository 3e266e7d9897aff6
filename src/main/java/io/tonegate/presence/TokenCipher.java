package io.tonegate.presence;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Encrypts OAuth tokens before they are stored in Redis: AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit random
 * IV per value and the owning record (e.g. the user id) as associated data, so a ciphertext copied to another user's
 * record does not decrypt. Format: {@code v1:} + base64(IV || ciphertext || 128-bit tag). Thread-safe.
 */
public final class TokenCipher {

  private static final String PREFIX = "v1:";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public TokenCipher(byte[] key32) {
    if (key32 == null || key32.length != 32) {
      throw new IllegalArgumentException("AES-256 needs a 32-byte key");
    }
    this.key = new SecretKeySpec(key32.clone(), "AES");
  }

  public String encrypt(String plaintext, String context) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(iv, IV_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /**
   * @throws IllegalArgumentException when the value is not ours, was tampered with, belongs to another context, or
   *                                  was encrypted with another key
   */
  public String decrypt(String stored, String context) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not an encrypted token");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an encrypted token");
    }
    if (raw.length < IV_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException("not an encrypted token");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, IV_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the token does not decrypt (wrong key, context or tampered)");
    }
  }
}
