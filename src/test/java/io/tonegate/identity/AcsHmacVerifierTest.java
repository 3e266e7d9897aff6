package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tonegate.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AcsHmacVerifierTest {

  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final String PATH = "/identities/8:acs:r_1/:issueAccessToken?api-version=2022-10-01";
  static final byte[] BODY = "{\"scopes\":[\"chat\"]}".getBytes(StandardCharsets.UTF_8);

  final SecureRandom random = new SecureRandom();
  final AcsAccessKey primary = AcsAccessKey.generate(random);
  final AcsAccessKey secondary = AcsAccessKey.generate(random);
  final MutableClock clock = new MutableClock(NOW);
  final AcsHmacVerifier verifier = new AcsHmacVerifier(List.of(primary, secondary),
      AcsHmacVerifier.DEFAULT_MAX_CLOCK_SKEW, List.of(), clock);

  /** Headers of a request signed by {@code key} for host 127.0.0.1, sent to 127.0.0.1:8443. */
  Map<String, String> signed(AcsAccessKey key, String method, String path, byte[] body, Instant at) {
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(key, clock)
        .sign(method, path, "127.0.0.1", AcsHmac.contentHash(body), at);
    Map<String, String> headers = new HashMap<>();
    h.asMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    headers.put("host", "127.0.0.1:8443");
    return headers;
  }

  HmacVerification verify(String method, String path, Map<String, String> headers, byte[] body) {
    return verifier.verify(new HmacRequest(method, path, name -> headers.get(name.toLowerCase(Locale.ROOT)), body));
  }

  @Test
  @DisplayName("A request signed with the primary key, host without port (Java SDK style), is accepted")
  void acceptsJavaSdkStyle() {
    HmacVerification v = verify("POST", PATH, signed(primary, "POST", PATH, BODY, NOW), BODY);
    assertThat(v.ok()).isTrue();
    assertThat(v.keyIndex()).isZero();
  }

  @Test
  @DisplayName("The secondary key is accepted too, so keys can rotate without downtime")
  void acceptsSecondaryKey() {
    HmacVerification v = verify("POST", PATH, signed(secondary, "POST", PATH, BODY, NOW), BODY);
    assertThat(v.ok()).isTrue();
    assertThat(v.keyIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("A host signed with its port (JS SDK style) is accepted when the Host header carries it")
  void acceptsJsSdkStyle() {
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(primary, clock)
        .sign("POST", PATH, "localhost:8443", AcsHmac.contentHash(BODY), NOW);
    Map<String, String> headers = new HashMap<>();
    h.asMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    headers.put("host", "localhost:8443");
    assertThat(verify("POST", PATH, headers, BODY).ok()).isTrue();
  }

  @Test
  @DisplayName("An unknown key is refused with signature_mismatch")
  void refusesUnknownKey() {
    AcsAccessKey other = AcsAccessKey.generate(random);
    assertThat(verify("POST", PATH, signed(other, "POST", PATH, BODY, NOW), BODY).failure())
        .isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
  }

  @Test
  @DisplayName("A tampered signature is refused")
  void refusesTamperedSignature() {
    Map<String, String> headers = signed(primary, "POST", PATH, BODY, NOW);
    String auth = headers.get("authorization");
    int at = auth.indexOf("Signature=") + "Signature=".length();
    byte[] signature = java.util.Base64.getDecoder().decode(auth.substring(at));
    signature[0] ^= 0x01;
    headers.put("authorization", auth.substring(0, at) + java.util.Base64.getEncoder().encodeToString(signature));
    assertThat(verify("POST", PATH, headers, BODY).failure()).isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
  }

  @Test
  @DisplayName("Changing the path, query or method after signing is refused")
  void refusesChangedTarget() {
    Map<String, String> headers = signed(primary, "POST", PATH, BODY, NOW);
    assertThat(verify("POST", PATH.replace("r_1", "r_2"), headers, BODY).failure())
        .isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
    assertThat(verify("POST", PATH + "&x=1", headers, BODY).failure()).isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
    assertThat(verify("DELETE", PATH, headers, BODY).failure()).isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
  }

  @Test
  @DisplayName("A body changed after signing is refused by the content-hash check")
  void refusesChangedBody() {
    Map<String, String> headers = signed(primary, "POST", PATH, BODY, NOW);
    byte[] changed = "{\"scopes\":[\"voip\"]}".getBytes(StandardCharsets.UTF_8);
    assertThat(verify("POST", PATH, headers, changed).failure()).isEqualTo(HmacFailure.CONTENT_HASH_MISMATCH);
  }

  @Test
  @DisplayName("A changed body with a recomputed content hash is refused by the signature")
  void refusesRehashedBody() {
    Map<String, String> headers = signed(primary, "POST", PATH, BODY, NOW);
    byte[] changed = "{\"scopes\":[\"voip\"]}".getBytes(StandardCharsets.UTF_8);
    headers.put("x-ms-content-sha256", AcsHmac.contentHash(changed));
    assertThat(verify("POST", PATH, headers, changed).failure()).isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
  }

  @Test
  @DisplayName("x-ms-date older or newer than 15 minutes is refused; inside the window, accepted")
  void clockSkewWindow() {
    Duration justInside = AcsHmacVerifier.DEFAULT_MAX_CLOCK_SKEW.minusSeconds(1);
    Duration justOutside = AcsHmacVerifier.DEFAULT_MAX_CLOCK_SKEW.plusSeconds(1);
    assertThat(verify("POST", PATH, signed(primary, "POST", PATH, BODY, NOW.minus(justInside)), BODY).ok()).isTrue();
    assertThat(verify("POST", PATH, signed(primary, "POST", PATH, BODY, NOW.plus(justInside)), BODY).ok()).isTrue();
    assertThat(verify("POST", PATH, signed(primary, "POST", PATH, BODY, NOW.minus(justOutside)), BODY).failure())
        .isEqualTo(HmacFailure.DATE_OUT_OF_WINDOW);
    assertThat(verify("POST", PATH, signed(primary, "POST", PATH, BODY, NOW.plus(justOutside)), BODY).failure())
        .isEqualTo(HmacFailure.DATE_OUT_OF_WINDOW);
  }

  @Test
  @DisplayName("A captured request replayed after the skew window has passed is refused")
  void refusesLateReplay() {
    Map<String, String> captured = signed(primary, "POST", PATH, BODY, NOW);
    assertThat(verify("POST", PATH, captured, BODY).ok()).isTrue();
    clock.advance(Duration.ofMinutes(16));
    assertThat(verify("POST", PATH, captured, BODY).failure()).isEqualTo(HmacFailure.DATE_OUT_OF_WINDOW);
  }

  @Test
  @DisplayName("Missing or malformed authentication headers each get their own reason")
  void malformedHeaders() {
    Map<String, String> good = signed(primary, "POST", PATH, BODY, NOW);

    Map<String, String> noAuth = new HashMap<>(good);
    noAuth.remove("authorization");
    assertThat(verify("POST", PATH, noAuth, BODY).failure()).isEqualTo(HmacFailure.MISSING_AUTHORIZATION);

    for (String bad : List.of("Bearer abc", "HMAC-SHA256", "HMAC-SHA256 Signature=abc",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=%%%",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA",
        "HMAC-SHA256 SignedHeaders=a&SignedHeaders=b&Signature=AAAA", "x".repeat(5000))) {
      Map<String, String> h = new HashMap<>(good);
      h.put("authorization", bad);
      assertThat(verify("POST", PATH, h, BODY).failure()).as(bad).isEqualTo(HmacFailure.MALFORMED_AUTHORIZATION);
    }

    Map<String, String> partial = new HashMap<>(good);
    partial.put("authorization", good.get("authorization").replace("x-ms-date;host;", "x-ms-date;"));
    assertThat(verify("POST", PATH, partial, BODY).failure()).isEqualTo(HmacFailure.UNSIGNED_REQUIRED_HEADER);

    Map<String, String> noDate = new HashMap<>(good);
    noDate.remove("x-ms-date");
    assertThat(verify("POST", PATH, noDate, BODY).failure()).isEqualTo(HmacFailure.MALFORMED_DATE);

    Map<String, String> noHash = new HashMap<>(good);
    noHash.remove("x-ms-content-sha256");
    assertThat(verify("POST", PATH, noHash, BODY).failure()).isEqualTo(HmacFailure.MISSING_SIGNED_HEADER);
  }

  @Test
  @DisplayName("Extra signed headers, in any order, are covered by the signature")
  void extraSignedHeaders() {
    String date = AcsHmac.formatDate(NOW);
    String hash = AcsHmac.contentHash(BODY);
    String sts = AcsHmac.stringToSign("POST", PATH, List.of("127.0.0.1", date, "abc", hash));
    String sig = java.util.Base64.getEncoder().encodeToString(new HmacSha256(primary).mac(AcsHmac.utf8(sts)));
    Map<String, String> headers = new HashMap<>(Map.of("x-ms-date", date, "x-ms-content-sha256", hash,
        "host", "127.0.0.1", "x-ms-client-request-id", "abc", "authorization",
        "HMAC-SHA256 SignedHeaders=host;x-ms-date;x-ms-client-request-id;x-ms-content-sha256&Signature=" + sig));
    assertThat(verify("POST", PATH, headers, BODY).ok()).isTrue();
    headers.put("x-ms-client-request-id", "abd");
    assertThat(verify("POST", PATH, headers, BODY).failure()).isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
    headers.remove("x-ms-client-request-id");
    assertThat(verify("POST", PATH, headers, BODY).failure()).isEqualTo(HmacFailure.MISSING_SIGNED_HEADER);
  }

  @Test
  @DisplayName("A configured public host name is accepted when a proxy rewrote Host")
  void extraHost() {
    AcsHmacVerifier behindProxy = new AcsHmacVerifier(List.of(primary), Duration.ofMinutes(5),
        List.of("tonegate.example.com"), clock);
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(primary, clock)
        .sign("POST", PATH, "tonegate.example.com", AcsHmac.contentHash(BODY), NOW);
    Map<String, String> headers = new HashMap<>();
    h.asMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    headers.put("host", "10.0.0.5:8443");
    assertThat(behindProxy.verify(new HmacRequest("POST", PATH, n -> headers.get(n.toLowerCase(Locale.ROOT)), BODY)).ok())
        .isTrue();
    assertThat(verify("POST", PATH, headers, BODY).failure()).isEqualTo(HmacFailure.SIGNATURE_MISMATCH);
  }

  @Test
  @DisplayName("Host candidates: verbatim, then without port; IPv6 keeps its brackets")
  void hostCandidates() {
    assertThat(AcsHmac.hostCandidates("localhost:8443")).containsExactly("localhost:8443", "localhost");
    assertThat(AcsHmac.hostCandidates("localhost")).containsExactly("localhost");
    assertThat(AcsHmac.hostCandidates("[::1]:8443")).containsExactly("[::1]:8443", "[::1]");
    assertThat(AcsHmac.hostCandidates("[::1]")).containsExactly("[::1]");
  }

  @Test
  @DisplayName("Failure reasons have bounded lower-case tags for metrics")
  void tags() {
    assertThat(HmacFailure.DATE_OUT_OF_WINDOW.tag()).isEqualTo("date_out_of_window");
  }
}
