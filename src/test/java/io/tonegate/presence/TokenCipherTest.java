package io.tonegate.presence;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("AES-GCM token encryption at rest, and Retry-After parsing")
class TokenCipherTest {

  private static byte[] key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  @Test
  @DisplayName("a token round-trips; each encryption differs (fresh IV); the plaintext never appears")
  void roundTrip() {
    TokenCipher cipher = new TokenCipher(key());
    String one = cipher.encrypt("refresh-token-value", "alice");
    String two = cipher.encrypt("refresh-token-value", "alice");
    assertThat(one).startsWith("v1:").isNotEqualTo(two).doesNotContain("refresh-token-value");
    assertThat(cipher.decrypt(one, "alice")).isEqualTo("refresh-token-value");
  }

  @Test
  @DisplayName("another user's context, another key, or a flipped bit do not decrypt")
  void refusesTampering() {
    byte[] key = key();
    TokenCipher cipher = new TokenCipher(key);
    String sealed = cipher.encrypt("secret", "alice");
    assertThatThrownBy(() -> cipher.decrypt(sealed, "bob")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenCipher(key()).decrypt(sealed, "alice")).isInstanceOf(IllegalArgumentException.class);
    char[] chars = sealed.toCharArray();
    chars[10] = chars[10] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> cipher.decrypt(new String(chars), "alice")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cipher.decrypt("plain", "alice")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenCipher(new byte[16])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("Retry-After: seconds, an HTTP-date, garbage (fallback), capped, never negative")
  void retryAfter() {
    Instant now = Instant.parse("2026-11-22T12:00:00Z");
    Duration fallback = Duration.ofSeconds(30);
    Duration max = Duration.ofMinutes(5);
    assertThat(RetryAfter.parse("7", now, fallback, max)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.parse("Sun, 22 Nov 2026 12:01:00 GMT", now, fallback, max)).isEqualTo(Duration.ofMinutes(1));
    assertThat(RetryAfter.parse("soon", now, fallback, max)).isEqualTo(fallback);
    assertThat(RetryAfter.parse(null, now, fallback, max)).isEqualTo(fallback);
    assertThat(RetryAfter.parse("86400", now, fallback, max)).isEqualTo(max);
    assertThat(RetryAfter.parse("Sun, 22 Nov 2026 11:00:00 GMT", now, fallback, max)).isZero();
  }
}
