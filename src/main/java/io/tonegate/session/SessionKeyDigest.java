package io.tonegate.session;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * HMAC-SHA256 of session keys (and caller numbers) under the server secret {@code session.keySecret}. Redis stores
 * only these digests as key names, so a Redis dump, {@code MONITOR} or {@code SCAN} reveals neither codes nor the
 * numbers they belong to; without the secret, even a 3-digit code cannot be recovered by trying all 1,000. See
 * docs/caller-auth.md, "Keys at rest". Thread-safe.
 */
public final class SessionKeyDigest {

  /** Shortest secret accepted: the HMAC-SHA256 key should be as long as its output (RFC 2104 §3). */
  public static final int MIN_SECRET_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final ThreadLocal<Mac> mac;

  public SessionKeyDigest(byte[] secret) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the session key secret must have at least " + MIN_SECRET_BYTES + " bytes");
    }
    SecretKeySpec key = new SecretKeySpec(secret.clone(), ALGORITHM);
    this.mac = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance(ALGORITHM);
        m.init(key);
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 unavailable", e);
      }
    });
  }

  /** The digest of a key: 43 URL-safe base64 characters, the key's public id and its Redis name. */
  public String digest(SessionKey key) {
    return digest(key.canonical());
  }

  /** The digest of any string under this secret (e.g. {@code "ani:+15551234567"} for rate-limit keys). */
  public String digest(String text) {
    byte[] out = mac.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }
}
