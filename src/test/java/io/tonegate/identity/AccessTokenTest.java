package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tonegate.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AccessTokenTest {

  static final String ISSUER = "https://localhost:8443/";
  static final String AUDIENCE = "tonegate";
  static final String RESOURCE = "2dee53b4-368b-45b4-ab52-8493fb117652";
  static final Duration DAY = Duration.ofMinutes(1440);

  final SecureRandom random = new SecureRandom();
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
  final AtomicReference<SigningKeyRing> ring =
      new AtomicReference<>(SigningKeyRing.of(SigningKey.generate(JwtAlgorithm.ES256, clock.instant(), random)));
  final AccessTokenIssuer issuer = new AccessTokenIssuer(ISSUER, AUDIENCE, ring::get, clock);
  final AccessTokenVerifier verifier = new AccessTokenVerifier(AccessTokenVerifier.resolver(ring::get), ISSUER,
      AUDIENCE, AccessTokenVerifier.DEFAULT_CLOCK_SKEW, clock);
  final IdentityId alice = IdentityId.generate(RESOURCE, random);

  /** Exactly what the Java SDK's TokenParser (azure-communication-common 1.2.12) does with a token. */
  static long sdkTokenParserExp(String rawToken) {
    String jwt = new String(Base64.getDecoder().decode(rawToken.split("\\.")[1]), StandardCharsets.UTF_8);
    Matcher matcher = Pattern.compile("\"exp\":*([0-9]+)").matcher(jwt);
    matcher.find();
    return Long.parseLong(matcher.group(1));
  }

  static TokenRejection rejection(Runnable r) {
    TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, r::run);
    assertThat(e).as("expected a rejection").isNotNull();
    return e.reason();
  }

  @ParameterizedTest
  @EnumSource(JwtAlgorithm.class)
  @DisplayName("A minted token verifies and carries ACS's claims: skypeid, scp, csi, exp, acsScope, resourceId, iat")
  void roundTrip(JwtAlgorithm algorithm) {
    ring.set(SigningKeyRing.of(SigningKey.generate(algorithm, clock.instant(), random)));
    IssuedToken issued = issuer.issue(alice, EnumSet.of(TokenScope.CHAT, TokenScope.VOIP), DAY);

    VerifiedToken token = verifier.verify(issued.token());

    assertThat(token.identityId()).isEqualTo(alice.rawId()).startsWith("8:acs:" + RESOURCE + "_");
    assertThat(token.scopes()).containsExactlyInAnyOrder(TokenScope.CHAT, TokenScope.VOIP);
    assertThat(token.issuedAt()).isEqualTo(clock.instant());
    assertThat(token.expiresAt()).isEqualTo(clock.instant().plus(DAY)).isEqualTo(issued.expiresOn());
    assertThat(token.kid()).isEqualTo(ring.get().current().kid());
    long iat = clock.instant().getEpochSecond();
    assertThat(token.claims()).containsEntry("skypeid", alice.skypeId())
        .containsEntry("scp", (long) (0x700 | 0x1))
        .containsEntry("csi", Long.toString(iat))
        .containsEntry("iat", iat)
        .containsEntry("exp", iat + 86400)
        .containsEntry("acsScope", "chat,voip")
        .containsEntry("resourceId", RESOURCE)
        .containsEntry("iss", ISSUER)
        .containsEntry("aud", AUDIENCE);
    String header = new String(Base64.getUrlDecoder().decode(issued.token().split("\\.")[0]), StandardCharsets.UTF_8);
    assertThat(header).isEqualTo("{\"alg\":\"" + algorithm + "\",\"kid\":\"" + issued.kid() + "\",\"typ\":\"JWT\"}");
  }

  @Test
  @DisplayName("Every minted token parses in the SDK's CommunicationTokenCredential (standard base64 decoder)")
  void sdkParsesEveryToken() {
    List<TokenScope> all = List.of(TokenScope.values());
    for (int i = 0; i < 2000; i++) {
      IdentityId id = IdentityId.generate(RESOURCE, random);
      Set<TokenScope> scopes = EnumSet.noneOf(TokenScope.class);
      for (TokenScope s : all) {
        if (random.nextBoolean()) {
          scopes.add(s);
        }
      }
      if (scopes.isEmpty()) {
        scopes.add(TokenScope.VOIP);
      }
      clock.advance(Duration.ofSeconds(random.nextInt(1000)));
      IssuedToken t = issuer.issue(id, scopes, Duration.ofMinutes(60 + random.nextInt(1381)));
      assertThat(t.token().split("\\.")[1]).doesNotContain("-", "_");
      assertThat(sdkTokenParserExp(t.token())).isEqualTo(t.expiresOn().getEpochSecond());
    }
  }

  @Test
  @DisplayName("Naive base64url of a payload with '?' would break the SDK's decoder, which is why the writer escapes")
  void trapIsReal() {
    String naive = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"iss\":\"https://x/?a=???\"}".getBytes(StandardCharsets.US_ASCII));
    assertThat(naive).contains("_");
    assertThatThrownBy(() -> Base64.getDecoder().decode(naive)).isInstanceOf(IllegalArgumentException.class);

    AccessTokenIssuer awkward = new AccessTokenIssuer("https://x/?a=???~>", "a~b>c?", ring::get, clock);
    IssuedToken t = awkward.issue(alice, EnumSet.of(TokenScope.CHAT), DAY);
    assertThat(sdkTokenParserExp(t.token())).isEqualTo(t.expiresOn().getEpochSecond());
    AccessTokenVerifier v = new AccessTokenVerifier(AccessTokenVerifier.resolver(ring::get),
        "https://x/?a=???~>", "a~b>c?", Duration.ofSeconds(60), clock);
    assertThat(v.verify(t.token()).claims()).containsEntry("iss", "https://x/?a=???~>");
  }

  @Test
  @DisplayName("A token whose payload was altered (scope added) fails the signature check")
  void tamperedPayload() {
    String[] parts = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), DAY).token().split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"acsScope\":\"chat\"", "\"acsScope\":\"chat,media\"");
    String forged = parts[0] + "." + JwtJson.base64Url(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThat(rejection(() -> verifier.verify(forged))).isEqualTo(TokenRejection.BAD_SIGNATURE);
  }

  @Test
  @DisplayName("A token with a flipped signature byte is refused")
  void tamperedSignature() {
    String[] parts = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), DAY).token().split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
    sig[10] ^= 0x01;
    String forged = parts[0] + "." + parts[1] + "." + JwtJson.base64Url(sig);
    assertThat(rejection(() -> verifier.verify(forged))).isEqualTo(TokenRejection.BAD_SIGNATURE);
    String zero = parts[0] + "." + parts[1] + "." + JwtJson.base64Url(new byte[64]);
    assertThat(rejection(() -> verifier.verify(zero))).isEqualTo(TokenRejection.BAD_SIGNATURE);
  }

  @Test
  @DisplayName("alg none and HS256 signed with the public key as secret are refused")
  void algorithmConfusion() throws Exception {
    String[] parts = issuer.issue(alice, EnumSet.of(TokenScope.MEDIA), DAY).token().split("\\.");
    String kid = ring.get().current().kid();

    String none = JwtJson.base64Url(("{\"alg\":\"none\",\"kid\":\"" + kid + "\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(rejection(() -> verifier.verify(none + "." + parts[1] + ".x"))).isEqualTo(TokenRejection.ALGORITHM_NOT_ALLOWED);

    String hs = JwtJson.base64Url(("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}").getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(ring.get().current().publicKey().getEncoded(), "HmacSHA256"));
    String sig = JwtJson.base64Url(mac.doFinal((hs + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
    assertThat(rejection(() -> verifier.verify(hs + "." + parts[1] + "." + sig))).isEqualTo(TokenRejection.ALGORITHM_NOT_ALLOWED);

    String rs = JwtJson.base64Url(("{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(rejection(() -> verifier.verify(rs + "." + parts[1] + "." + parts[2])))
        .as("alg must match the key's algorithm").isEqualTo(TokenRejection.ALGORITHM_NOT_ALLOWED);

    AccessTokenVerifier rsOnly = new AccessTokenVerifier(AccessTokenVerifier.resolver(ring::get), ISSUER, AUDIENCE,
        Duration.ofSeconds(60), EnumSet.of(JwtAlgorithm.RS256), clock);
    assertThat(rejection(() -> rsOnly.verify(parts[0] + "." + parts[1] + "." + parts[2])))
        .isEqualTo(TokenRejection.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  @DisplayName("Malformed tokens are refused as malformed, never with an unexpected exception")
  void malformed() {
    String good = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), DAY).token();
    String[] p = good.split("\\.");
    for (String bad : new String[]{"", "abc", "a.b", "a.b.c.d", ".b.c", p[0] + "." + p[1] + ".",
        p[0] + "=." + p[1] + "." + p[2], "!!!." + p[1] + "." + p[2],
        JwtJson.base64Url("[1]".getBytes(StandardCharsets.UTF_8)) + "." + p[1] + "." + p[2],
        JwtJson.base64Url("{\"alg\":\"ES256\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8)) + "." + p[1] + "." + p[2],
        JwtJson.base64Url("{\"alg\":\"ES256\",\"crit\":[\"x\"]}".getBytes(StandardCharsets.UTF_8)) + "." + p[1] + "." + p[2],
        "a".repeat(AccessTokenVerifier.MAX_TOKEN_LENGTH + 1)}) {
      assertThat(rejection(() -> verifier.verify(bad))).as(bad).isEqualTo(TokenRejection.MALFORMED);
    }
    assertThat(rejection(() -> verifier.verify(null))).isEqualTo(TokenRejection.MALFORMED);
  }

  @Test
  @DisplayName("Expiry, issue time in the future, issuer and audience are enforced with a small skew allowance")
  void timesIssuerAudience() {
    String token = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), Duration.ofMinutes(60)).token();

    clock.advance(Duration.ofMinutes(60).plusSeconds(59));
    assertThat(verifier.verify(token).identity()).isEqualTo(alice);
    clock.advance(Duration.ofSeconds(2));
    assertThat(rejection(() -> verifier.verify(token))).isEqualTo(TokenRejection.EXPIRED);

    clock.set(Instant.parse("2026-11-22T11:58:00Z"));   // verifier two minutes behind the issuer
    assertThat(rejection(() -> verifier.verify(token))).isEqualTo(TokenRejection.NOT_YET_VALID);

    clock.set(Instant.parse("2026-11-22T12:00:00Z"));
    AccessTokenVerifier otherIssuer = new AccessTokenVerifier(AccessTokenVerifier.resolver(ring::get),
        "https://elsewhere/", AUDIENCE, Duration.ofSeconds(60), clock);
    assertThat(rejection(() -> otherIssuer.verify(token))).isEqualTo(TokenRejection.WRONG_ISSUER);
    AccessTokenVerifier otherAudience = new AccessTokenVerifier(AccessTokenVerifier.resolver(ring::get),
        ISSUER, "someone-else", Duration.ofSeconds(60), clock);
    assertThat(rejection(() -> otherAudience.verify(token))).isEqualTo(TokenRejection.WRONG_AUDIENCE);
  }

  @Test
  @DisplayName("A required scope the token lacks is refused as missing_scope")
  void scopeCheck() {
    String token = issuer.issue(alice, EnumSet.of(TokenScope.VOIP), DAY).token();
    assertThat(rejection(() -> verifier.verify(token, TokenScope.MEDIA))).isEqualTo(TokenRejection.MISSING_SCOPE);
    assertThat(verifier.verify(token, TokenScope.VOIP).hasScope(TokenScope.VOIP)).isTrue();
  }

  @Test
  @DisplayName("Tokens issued at or before the identity's revocation are refused; later ones are accepted")
  void revocation() {
    IssuedToken before = issuer.issue(alice, EnumSet.of(TokenScope.MEDIA), DAY);
    Instant revokedAt = clock.instant();
    RevocationLookup lookup = id -> CompletableFuture.completedFuture(
        id.equals(alice.rawId()) ? Optional.of(revokedAt) : Optional.empty());

    Throwable refused = verifier.verify(before.token(), TokenScope.MEDIA, lookup).toCompletableFuture()
        .handle((t, e) -> e).join();
    assertThat(refused).isInstanceOf(TokenRejectedException.class);
    assertThat(((TokenRejectedException) refused).reason()).isEqualTo(TokenRejection.REVOKED);

    // Issued in the same second as the revocation, but after it: iat is moved past the revocation second.
    IssuedToken after = issuer.issue(alice, EnumSet.of(TokenScope.MEDIA), DAY, revokedAt);
    assertThat(after.issuedAt()).isAfter(revokedAt);
    assertThat(verifier.verify(after.token(), TokenScope.MEDIA, lookup).toCompletableFuture().join().identity())
        .isEqualTo(alice);

    IdentityId bob = IdentityId.generate(RESOURCE, random);
    String bobs = issuer.issue(bob, EnumSet.of(TokenScope.MEDIA), DAY).token();
    assertThat(verifier.verify(bobs, TokenScope.MEDIA, lookup).toCompletableFuture().join().identity()).isEqualTo(bob);
  }

  @Test
  @DisplayName("When the revocation state cannot be read the token is refused (fail closed)")
  void revocationUnavailable() {
    String token = issuer.issue(alice, EnumSet.of(TokenScope.MEDIA), DAY).token();
    RevocationLookup down = id -> CompletableFuture.failedFuture(new IllegalStateException("redis down"));
    assertThatThrownBy(() -> verifier.verify(token, TokenScope.MEDIA, down).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(TokenRejectedException.class)
        .extracting(e -> ((TokenRejectedException) e).reason()).isEqualTo(TokenRejection.REVOCATION_UNAVAILABLE);
  }

  @Test
  @DisplayName("After rotation old tokens verify until their key's publication ends; the JWKS lists both keys")
  void rotation() {
    IssuedToken old = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), DAY);
    SigningKey oldKey = ring.get().current();
    SigningKey newKey = SigningKey.generate(JwtAlgorithm.ES256, clock.instant(), random);
    ring.set(ring.get().rotate(newKey, clock.instant(), AccessTokenIssuer.MAX_TOKEN_LIFETIME.plusMinutes(1)));

    IssuedToken fresh = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), DAY);
    assertThat(fresh.kid()).isEqualTo(newKey.kid()).isNotEqualTo(old.kid());
    assertThat(verifier.verify(old.token()).kid()).isEqualTo(oldKey.kid());
    assertThat(ring.get().jwksJson()).contains(oldKey.kid(), newKey.kid());

    // A verifier elsewhere, fed only the published JWKS, verifies both.
    List<SigningKey> published = Jwks.parse(ring.get().jwksJson());
    assertThat(published).extracting(SigningKey::kid).containsExactly(newKey.kid(), oldKey.kid());
    assertThat(published).noneMatch(SigningKey::canSign);
    AccessTokenVerifier offline = new AccessTokenVerifier(AccessTokenVerifier.resolver(published), ISSUER,
        AUDIENCE, Duration.ofSeconds(60), clock);
    assertThat(offline.verify(old.token()).identity()).isEqualTo(alice);
    assertThat(offline.verify(fresh.token()).identity()).isEqualTo(alice);

    clock.advance(AccessTokenIssuer.MAX_TOKEN_LIFETIME.plusMinutes(2));
    ring.set(ring.get().prune(clock.instant()));
    assertThat(ring.get().published()).containsExactly(newKey);
    assertThat(rejection(() -> verifier.verify(old.token()))).isIn(TokenRejection.UNKNOWN_KEY);
  }

  @Test
  @DisplayName("Rotation is due once the current key is older than the period; a zero period never rotates")
  void rotationDue() {
    Instant created = ring.get().current().createdAt();
    assertThat(ring.get().rotationDue(created.plus(Duration.ofDays(6)), Duration.ofDays(7))).isFalse();
    assertThat(ring.get().rotationDue(created.plus(Duration.ofDays(7)), Duration.ofDays(7))).isTrue();
    assertThat(ring.get().rotationDue(created.plus(Duration.ofDays(700)), Duration.ZERO)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(JwtAlgorithm.class)
  @DisplayName("A key survives PKCS#8 PEM export and import with the same kid, and its tokens verify")
  void pemRoundTrip(JwtAlgorithm algorithm) {
    SigningKey key = SigningKey.generate(algorithm, clock.instant(), random);
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(key.privateKeyPkcs8()) + "\n-----END PRIVATE KEY-----\n";
    SigningKey loaded = SigningKey.fromPem(algorithm, pem, clock.instant());
    assertThat(loaded.kid()).isEqualTo(key.kid());
    ring.set(SigningKeyRing.of(loaded));
    String token = issuer.issue(alice, EnumSet.of(TokenScope.CHAT), DAY).token();
    AccessTokenVerifier withOriginal = new AccessTokenVerifier(AccessTokenVerifier.resolver(List.of(key)),
        ISSUER, AUDIENCE, Duration.ofSeconds(60), clock);
    assertThat(withOriginal.verify(token).identity()).isEqualTo(alice);
    assertThatThrownBy(() -> SigningKey.fromPem(algorithm, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", clock.instant()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("JWKS entries carry kty, use, alg, kid and the EC point, and the kid is the RFC 7638 thumbprint")
  void jwksShape() {
    Map<String, Object> doc = JwtJson.parseObject(ring.get().jwksJson().getBytes(StandardCharsets.UTF_8));
    @SuppressWarnings("unchecked")
    Map<String, Object> jwk = ((List<Map<String, Object>>) doc.get("keys")).get(0);
    assertThat(jwk).containsEntry("kty", "EC").containsEntry("use", "sig").containsEntry("alg", "ES256")
        .containsEntry("crv", "P-256").containsEntry("kid", ring.get().current().kid())
        .containsKeys("x", "y").doesNotContainKey("d");
    assertThat(Base64.getUrlDecoder().decode((String) jwk.get("x"))).hasSize(32);
    assertThat(ring.get().current().kid()).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  @DisplayName("expiresInMinutes: absent means 1440; 60 and 1440 are the bounds; outside is refused")
  void validity() {
    assertThat(AccessTokenIssuer.validityFromMinutes(null)).isEqualTo(Duration.ofMinutes(1440));
    assertThat(AccessTokenIssuer.validityFromMinutes(60)).isEqualTo(Duration.ofMinutes(60));
    assertThat(AccessTokenIssuer.validityFromMinutes(1440)).isEqualTo(Duration.ofMinutes(1440));
    assertThatThrownBy(() -> AccessTokenIssuer.validityFromMinutes(59)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccessTokenIssuer.validityFromMinutes(1441)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> issuer.issue(alice, EnumSet.noneOf(TokenScope.class), DAY))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
