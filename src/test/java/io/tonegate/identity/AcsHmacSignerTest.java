package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AcsHmacSignerTest {

  // Key bytes 0..63; expected values computed independently with Python's hmac/hashlib (see test names).
  static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
  static final Instant DATE = Instant.parse("2026-11-22T12:56:59Z");

  final AcsHmacSigner signer = new AcsHmacSigner(AcsAccessKey.fromBase64(KEY), Clock.fixed(DATE, ZoneOffset.UTC));

  @Test
  @DisplayName("Signing a create-identity request matches an independent HMAC-SHA256 computation")
  void matchesIndependentVector() {
    byte[] body = "{\"createTokenWithScopes\":[\"voip\"],\"expiresInMinutes\":60}".getBytes(StandardCharsets.UTF_8);

    AcsHmacSigner.AcsHmacHeaders headers =
        signer.sign("post", URI.create("https://127.0.0.1:8443/identities?api-version=2022-10-01"), body);

    assertThat(headers.date()).isEqualTo("Sun, 22 Nov 2026 12:56:59 GMT");
    assertThat(headers.host()).as("the Java SDK signs the host without its port").isEqualTo("127.0.0.1");
    assertThat(headers.contentHash()).isEqualTo("riqUJMgNPJKPTzCcn0B7ducXw4YeJM1Nm7f+AosM3sU=");
    assertThat(headers.stringToSign()).isEqualTo("POST\n/identities?api-version=2022-10-01\n"
        + "Sun, 22 Nov 2026 12:56:59 GMT;127.0.0.1;riqUJMgNPJKPTzCcn0B7ducXw4YeJM1Nm7f+AosM3sU=");
    assertThat(headers.authorization()).isEqualTo("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
        + "&Signature=YCHMAtPXG9eSfL3rHdItnzVqWzkXwOm0sNB3tc+svyE=");
    assertThat(headers.asMap()).containsOnlyKeys("x-ms-date", "x-ms-content-sha256", "Authorization");
  }

  @Test
  @DisplayName("Identity ids with raw colons and the '/:' action path are signed exactly as sent")
  void signsRawPathWithColons() {
    AcsHmacSigner.AcsHmacHeaders headers = signer.sign("POST",
        URI.create("https://127.0.0.1/identities/8:acs:r_1/:issueAccessToken?api-version=2022-10-01"),
        "{\"scopes\":[\"chat\"]}".getBytes(StandardCharsets.UTF_8));

    assertThat(headers.authorization()).endsWith("&Signature=mPEBYeJ+Zgb6Y6bOHwBiZpPfSmVFvQYGH9R6r+81Sk4=");
  }

  @Test
  @DisplayName("An empty body hashes to the well-known SHA-256 of nothing")
  void emptyBodyHash() {
    assertThat(AcsHmac.contentHash(new byte[0])).isEqualTo(AcsHmac.EMPTY_BODY_CONTENT_HASH);
    assertThat(signer.sign("DELETE", "/identities/x", "h", null).contentHash())
        .isEqualTo(AcsHmac.EMPTY_BODY_CONTENT_HASH);
  }

  @Test
  @DisplayName("x-ms-date uses a two-digit day in the US locale, as the SDK formats it")
  void twoDigitDay() {
    assertThat(AcsHmac.formatDate(Instant.parse("2026-03-05T01:02:03Z"))).isEqualTo("Thu, 05 Mar 2026 01:02:03 GMT");
    assertThat(AcsHmac.parseDate("Thu, 5 Mar 2026 01:02:03 GMT")).contains(Instant.parse("2026-03-05T01:02:03Z"));
    assertThat(AcsHmac.parseDate("yesterday")).isEmpty();
  }

  @Test
  @DisplayName("Keys must be standard base64 of at least 32 bytes, and errors never echo the key")
  void keyValidation() {
    assertThatThrownBy(() -> AcsAccessKey.fromBase64("not*base64")).hasMessage("access key is not valid base64");
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> AcsAccessKey.fromBase64(shortKey)).hasMessageNotContaining(shortKey);
    assertThat(AcsAccessKey.fromBase64(KEY).toString()).doesNotContain(KEY.substring(0, 10));
  }

  @Test
  @DisplayName("Connection strings parse like the SDK's: case-insensitive names, unknown names refused")
  void connectionString() {
    AcsConnectionString cs = AcsConnectionString.parse("Endpoint=https://localhost:8443;AccessKey=" + KEY);
    assertThat(cs.endpoint()).hasToString("https://localhost:8443/");
    assertThat(cs.accessKey()).isEqualTo(AcsAccessKey.fromBase64(KEY));
    assertThat(cs.format()).isEqualTo("endpoint=https://localhost:8443/;accesskey=" + KEY);
    assertThat(cs.toString()).doesNotContain(KEY);
    assertThatThrownBy(() -> AcsConnectionString.parse("endpoint=https://x/;accesskey=" + KEY + ";foo=bar"))
        .hasMessageContaining("foo");
    assertThatThrownBy(() -> AcsConnectionString.parse("endpoint=https://x/")).hasMessageContaining("accesskey");
  }
}
