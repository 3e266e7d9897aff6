package io.tonegate.media;

import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.tonegate.identity.AccessTokenVerifier;
import io.tonegate.identity.IdentityId;
import io.tonegate.identity.SigningKey;
import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenScope;
import io.tonegate.simulator.AcsMediaClient;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestJwks;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.tonegate.media.MediaTestSupport.ACS_ISS;
import static io.tonegate.media.MediaTestSupport.AUD;
import static io.tonegate.media.MediaTestSupport.closeCode;
import static io.tonegate.media.MediaTestSupport.connect;
import static io.tonegate.media.MediaTestSupport.counter;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("/ws/media upgrade: every bad token or header is refused with an HTTP status, never an open socket")
class MediaUpgradeAuthTest {

  private static final String TONEGATE_ISS = "https://tonegate.test";
  private static final String TONEGATE_AUD = "tonegate";

  private static Vertx vertx;
  private static TestJwks jwks;
  private static TestGateway gateway;
  private static final TestJwks.Key ACS_KEY = TestJwks.rsaKey("acs-key-1");
  private static SigningKey identityKey;
  private static final AtomicReference<Optional<Instant>> REVOKED = new AtomicReference<>(Optional.empty());

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    jwks = TestJwks.start(vertx).publish(ACS_KEY);
    gateway = TestGateway.start(new JsonObject().put("media", new JsonObject()
        .put("acs", new JsonObject().put("jwksUrl", jwks.url()).put("audiences", new JsonArray().add(AUD)))));
    identityKey = SigningKey.generate(io.tonegate.identity.JwtAlgorithm.ES256, Instant.now(), new SecureRandom());
    AccessTokenVerifier verifier = new AccessTokenVerifier(AccessTokenVerifier.resolver(java.util.List.of(identityKey)),
        TONEGATE_ISS, TONEGATE_AUD, AccessTokenVerifier.DEFAULT_CLOCK_SKEW, Clock.systemUTC());
    MediaTestSupport.media(gateway).setTonegateTokenVerifier(new IdentityMediaTokenVerifier(
        gateway.gateway().vertx(), verifier, id -> CompletableFuture.completedFuture(REVOKED.get())));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    jwks.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static MultiMap headers(String callId, String authorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-ms-call-connection-id", callId)
        .add("x-ms-call-correlation-id", "corr-" + callId);
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    return headers;
  }

  private static int upgrade(String authorization) throws Exception {
    return gateway.upgradeStatus(vertx, "/ws/media", headers("call-1", authorization));
  }

  private static double refused(String reason) {
    return counter(gateway, "tonegate.media.upgrades.refused", "reason", reason);
  }

  @Test
  @DisplayName("a valid ACS token is accepted (101)")
  void validAcsToken() throws Exception {
    assertThat(upgrade("Bearer " + ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD)))).isEqualTo(101);
  }

  @Test
  @DisplayName("no token, expired, wrong issuer, wrong audience, wrong key: 401, each counted by reason")
  void badAcsTokens() throws Exception {
    long now = Instant.now().getEpochSecond();
    double before = refused("auth_expired");
    assertThat(upgrade(null)).isEqualTo(401);
    assertThat(upgrade("Bearer " + ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD).put("exp", now - 3600)))).isEqualTo(401);
    assertThat(upgrade("Bearer " + ACS_KEY.sign(TestJwks.claims("https://evil.example", AUD)))).isEqualTo(401);
    assertThat(upgrade("Bearer " + ACS_KEY.sign(TestJwks.claims(ACS_ISS, "other-resource")))).isEqualTo(401);
    assertThat(upgrade("Bearer " + TestJwks.rsaKey("acs-key-1").sign(TestJwks.claims(ACS_ISS, AUD)))).isEqualTo(401);
    assertThat(refused("auth_expired") - before).isEqualTo(1);
    assertThat(refused("auth_missing_token")).isGreaterThanOrEqualTo(1);
    assertThat(refused("auth_wrong_audience")).isGreaterThanOrEqualTo(1);
    assertThat(refused("auth_bad_signature")).isGreaterThanOrEqualTo(1);
    assertThat(counter(gateway, "tonegate.auth.failures", "validator", "acs-media", "reason", "expired"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("alg none and HS256 signed with the ACS public key are refused with 401")
  void algorithmAttacks() throws Exception {
    String payload = JwtSigner.encode(TestJwks.claims(ACS_ISS, AUD));
    String none = JwtSigner.encode(new JsonObject().put("alg", "none").put("kid", "acs-key-1")) + "." + payload + ".";
    assertThat(upgrade("Bearer " + none)).isEqualTo(401);
    String hsHeader = JwtSigner.encode(new JsonObject().put("alg", "HS256").put("kid", "acs-key-1"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(ACS_KEY.pair().getPublic().getEncoded(), "HmacSHA256"));
    String sig = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal((hsHeader + "." + payload).getBytes(StandardCharsets.US_ASCII)));
    assertThat(upgrade("Bearer " + hsHeader + "." + payload + "." + sig)).isEqualTo(401);
    assertThat(refused("auth_algorithm_not_allowed")).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a missing or malformed x-ms-call-connection-id is refused with 400")
  void badHeaders() throws Exception {
    String token = "Bearer " + ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD));
    MultiMap noCall = MultiMap.caseInsensitiveMultiMap().add("Authorization", token);
    assertThat(gateway.upgradeStatus(vertx, "/ws/media", noCall)).isEqualTo(400);
    assertThat(gateway.upgradeStatus(vertx, "/ws/media", headers("bad id\u00e9", token))).isEqualTo(400);
    assertThat(refused("bad_call_connection_id")).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("the simulator's dev-key token is trusted in devMode")
  void devToken() throws Exception {
    DevMediaKey key = DevMediaKey.load(gateway.gateway().context().config().server().dataDir()).orElseThrow();
    String token = key.signMediaToken(ACS_ISS, "tonegate-dev-acs-resource", Duration.ofHours(1));
    assertThat(upgrade("Bearer " + token)).isEqualTo(101);
  }

  private static String tonegateToken(String callId, Instant issuedAt) throws Exception {
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(identityKey.privateKeyPkcs8()));
    IdentityId identity = IdentityId.generate("3d20e1de-0f28-41c5-8e2b-0000000000aa", new SecureRandom());
    long iat = issuedAt.getEpochSecond();
    JsonObject claims = new JsonObject().put("iss", TONEGATE_ISS).put("aud", TONEGATE_AUD)
        .put("skypeid", identity.skypeId()).put("acsScope", TokenScope.MEDIA.wireName())
        .put("iat", iat).put("exp", iat + 3600);
    if (callId != null) {
      claims.put(TokenGrants.CLAIM, new JsonObject().put("media", new JsonObject().put("callConnectionId", callId)));
    }
    return JwtSigner.sign(JwsAlgorithm.ES256, identityKey.kid(), key, claims);
  }

  @Test
  @DisplayName("a Tonegate media token opens only the call it is bound to, and not once revoked")
  void tonegateTokens() throws Exception {
    assertThat(upgrade("Bearer " + tonegateToken("call-1", Instant.now()))).isEqualTo(101);
    AcsMediaClient client = connect(vertx, gateway, "call-1", tonegateToken("call-1", Instant.now()));
    MediaTestSupport.eventually(() -> MediaTestSupport.media(gateway).findSession("call-1").isPresent());
    assertThat(MediaTestSupport.media(gateway).findSession("call-1")).isPresent()
        .get().extracting(MediaSession::authenticatedBy).isEqualTo("tonegate");
    client.close(1000, "done");
    closeCode(client);
    assertThat(upgrade("Bearer " + tonegateToken("call-2", Instant.now()))).isEqualTo(401);
    assertThat(upgrade("Bearer " + tonegateToken(null, Instant.now()))).isEqualTo(401);
    assertThat(refused("auth_not_permitted")).isGreaterThanOrEqualTo(2);
    REVOKED.set(Optional.of(Instant.now().plusSeconds(5)));
    try {
      assertThat(upgrade("Bearer " + tonegateToken("call-1", Instant.now()))).isEqualTo(401);
    } finally {
      REVOKED.set(Optional.empty());
    }
  }
}
