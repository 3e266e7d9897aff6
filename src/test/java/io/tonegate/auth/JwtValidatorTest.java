package io.tonegate.auth;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;
import io.tonegate.testing.MutableClock;
import io.tonegate.testing.TestJwks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("JwtValidator: external RS256/ES256 tokens against a real JWKS endpoint")
class JwtValidatorTest {

  private static final String ISS = "https://acscallautomation.communication.azure.com";
  private static final String AUD = "3d20e1de-0f28-41c5-8e2b-000000000001";

  private static Vertx vertx;
  private static TestJwks jwks;
  private static final TestJwks.Key RSA = TestJwks.rsaKey("rsa-1");
  private static final TestJwks.Key EC = TestJwks.ecKey("ec-1");

  private SimpleMeterRegistry registry;
  private MutableClock clock;

  @BeforeAll
  static void startJwks() throws Exception {
    vertx = Vertx.vertx();
    jwks = TestJwks.start(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    jwks.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void fresh() {
    registry = new SimpleMeterRegistry();
    clock = MutableClock.now();
    jwks.down(false);
    jwks.publish(RSA, EC);
  }

  private JwtValidatorConfig config(JsonObject use) {
    JsonObject auth = new JsonObject().put("clockSkew", "60s").put("maxTokenLength", 16384)
        .put("jwks", new JsonObject().put("refreshInterval", "1h").put("minRefreshInterval", "10s")
            .put("fetchTimeout", "2s"));
    JsonObject base = new JsonObject().put("issuer", ISS).put("audiences", new JsonArray().add(AUD))
        .put("algorithms", new JsonArray().add("RS256").add("ES256")).put("jwksUrl", jwks.url());
    return JwtValidatorConfig.from(new ConfigTree(new JsonObject().put("x", base.mergeIn(use))).section("x"),
        new ConfigTree(new JsonObject().put("auth", auth)).section("auth"));
  }

  /** Claims valid for an hour from the test clock's now. */
  private JsonObject claims(String issuer, String audience) {
    return TestJwks.claims(issuer, audience, clock.instant());
  }

  private JwtValidator validator(JsonObject use) {
    return JwtValidator.create(vertx, "test", config(use), registry, clock, null);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  private AuthFailure refusal(JwtValidator validator, String token) {
    Throwable failure = catchFailure(validator.validate(token));
    assertThat(failure).isInstanceOf(JwtValidationException.class);
    return ((JwtValidationException) failure).reason();
  }

  private static Throwable catchFailure(Future<?> future) {
    try {
      future.await(10, TimeUnit.SECONDS);
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected a refusal, but the token was accepted");
  }

  private double failures(AuthFailure reason) {
    return registry.get("tonegate.auth.failures").tag("validator", "test").tag("reason", reason.tag()).counter()
        .count();
  }

  private double fetches(String outcome) {
    return registry.get("tonegate.auth.jwks.fetches").tag("validator", "test").tag("outcome", outcome).counter()
        .count();
  }

  @Test
  @DisplayName("a valid RS256 token is accepted with its claims, and an ES256 one too")
  void validTokens() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    ValidatedJwt rs = await(validator.validate(RSA.sign(claims(ISS, AUD).put("sub", "acs"))));
    assertThat(rs.algorithm()).isEqualTo(JwsAlgorithm.RS256);
    assertThat(rs.subject()).contains("acs");
    assertThat(rs.kid()).isEqualTo("rsa-1");
    ValidatedJwt es = await(validator.validate(EC.sign(claims(ISS, AUD))));
    assertThat(es.algorithm()).isEqualTo(JwsAlgorithm.ES256);
    assertThat(registry.get("tonegate.auth.accepted").counter().count()).isEqualTo(2);
  }

  @Test
  @DisplayName("an audience array containing the configured audience is accepted; one without it is refused")
  void audienceArray() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    await(validator.validate(RSA.sign(claims(ISS, AUD).put("aud", new JsonArray().add("x").add(AUD)))));
    assertThat(refusal(validator, RSA.sign(claims(ISS, AUD).put("aud", new JsonArray().add("x")))))
        .isEqualTo(AuthFailure.WRONG_AUDIENCE);
  }

  @Test
  @DisplayName("expired, not-yet-valid, wrong issuer, wrong audience and missing exp are refused with their reasons")
  void claimChecks() {
    JwtValidator validator = validator(new JsonObject());
    long now = clock.instant().getEpochSecond();
    assertThat(refusal(validator, RSA.sign(claims(ISS, AUD).put("exp", now - 61))))
        .isEqualTo(AuthFailure.EXPIRED);
    assertThat(refusal(validator, RSA.sign(claims(ISS, AUD).put("nbf", now + 120))))
        .isEqualTo(AuthFailure.NOT_YET_VALID);
    assertThat(refusal(validator, RSA.sign(claims("https://evil.example", AUD))))
        .isEqualTo(AuthFailure.WRONG_ISSUER);
    assertThat(refusal(validator, RSA.sign(claims(ISS, "another-resource"))))
        .isEqualTo(AuthFailure.WRONG_AUDIENCE);
    JsonObject noExp = claims(ISS, AUD);
    noExp.remove("exp");
    assertThat(refusal(validator, RSA.sign(noExp))).isEqualTo(AuthFailure.INVALID_CLAIMS);
    assertThat(failures(AuthFailure.EXPIRED)).isEqualTo(1);
    assertThat(failures(AuthFailure.WRONG_ISSUER)).isEqualTo(1);
  }

  @Test
  @DisplayName("a token a few seconds past exp is still accepted within the clock skew")
  void clockSkew() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    long now = clock.instant().getEpochSecond();
    await(validator.validate(RSA.sign(claims(ISS, AUD).put("exp", now - 30))));
  }

  @Test
  @DisplayName("a token signed by another key under a published kid fails the signature check")
  void wrongKey() {
    JwtValidator validator = validator(new JsonObject());
    TestJwks.Key impostor = TestJwks.rsaKey("rsa-1");
    assertThat(refusal(validator, impostor.sign(claims(ISS, AUD)))).isEqualTo(AuthFailure.BAD_SIGNATURE);
    String good = RSA.sign(claims(ISS, AUD));
    String tampered = good.substring(0, good.lastIndexOf('.')) + "."
        + JwtSigner.encode(new JsonObject().put("x", 1)).substring(0, 10) + good.substring(good.lastIndexOf('.') + 11);
    assertThat(refusal(validator, tampered)).isIn(AuthFailure.BAD_SIGNATURE, AuthFailure.MALFORMED);
  }

  @Test
  @DisplayName("alg none is refused, with or without a signature")
  void algNone() {
    JwtValidator validator = validator(new JsonObject());
    String header = JwtSigner.encode(new JsonObject().put("alg", "none").put("kid", "rsa-1"));
    String payload = JwtSigner.encode(claims(ISS, AUD));
    assertThat(refusal(validator, header + "." + payload + ".")).isEqualTo(AuthFailure.ALGORITHM_NOT_ALLOWED);
    assertThat(refusal(validator, header + "." + payload + ".c2ln")).isEqualTo(AuthFailure.ALGORITHM_NOT_ALLOWED);
    String noneUpper = JwtSigner.encode(new JsonObject().put("alg", "None").put("kid", "rsa-1"));
    assertThat(refusal(validator, noneUpper + "." + payload + ".")).isEqualTo(AuthFailure.ALGORITHM_NOT_ALLOWED);
    assertThat(failures(AuthFailure.ALGORITHM_NOT_ALLOWED)).isEqualTo(3);
  }

  @Test
  @DisplayName("HS256 signed with the published RSA public key as the secret is refused (key confusion)")
  void hs256WithPublicKey() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    String header = JwtSigner.encode(new JsonObject().put("alg", "HS256").put("kid", "rsa-1").put("typ", "JWT"));
    String payload = JwtSigner.encode(claims(ISS, AUD));
    for (byte[] secret : List.of(RSA.pair().getPublic().getEncoded(), RSA.jwk().encode().getBytes(StandardCharsets.UTF_8),
        pem(RSA.pair().getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII))) {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      String sig = Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
      assertThat(refusal(validator, header + "." + payload + "." + sig)).isEqualTo(AuthFailure.ALGORITHM_NOT_ALLOWED);
    }
  }

  private static String pem(byte[] der) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
  }

  @Test
  @DisplayName("an algorithm outside the use's allow-list, or not matching the key, is refused")
  void algorithmAllowList() {
    JwtValidator rsOnly = validator(new JsonObject().put("algorithms", new JsonArray().add("RS256")));
    assertThat(refusal(rsOnly, EC.sign(claims(ISS, AUD)))).isEqualTo(AuthFailure.ALGORITHM_NOT_ALLOWED);
    JwtValidator both = validator(new JsonObject());
    // an ES256 header naming the RSA key's kid
    String forged = JwtSigner.signRaw(new JsonObject().put("alg", "ES256").put("kid", "rsa-1"),
        claims(ISS, AUD), JwsAlgorithm.ES256, EC.pair().getPrivate());
    assertThat(refusal(both, forged)).isEqualTo(AuthFailure.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  @DisplayName("malformed tokens are refused as MALFORMED, a missing kid as UNKNOWN_KEY, an empty one as MISSING_TOKEN")
  void malformed() {
    JwtValidator validator = validator(new JsonObject());
    String good = RSA.sign(claims(ISS, AUD));
    assertThat(refusal(validator, "garbage")).isEqualTo(AuthFailure.MALFORMED);
    assertThat(refusal(validator, good.substring(0, good.lastIndexOf('.')))).isEqualTo(AuthFailure.MALFORMED);
    assertThat(refusal(validator, good + "==")).isEqualTo(AuthFailure.MALFORMED);
    assertThat(refusal(validator, "e30.e30.e30.e30")).isEqualTo(AuthFailure.MALFORMED);
    assertThat(refusal(validator, "bm90IGpzb24." + good.substring(good.indexOf('.') + 1)))
        .isEqualTo(AuthFailure.MALFORMED);
    assertThat(refusal(validator, "x".repeat(20_000))).isEqualTo(AuthFailure.MALFORMED);
    String noKid = JwtSigner.signRaw(new JsonObject().put("alg", "RS256"), claims(ISS, AUD),
        JwsAlgorithm.RS256, RSA.pair().getPrivate());
    assertThat(refusal(validator, noKid)).isEqualTo(AuthFailure.UNKNOWN_KEY);
    assertThat(refusal(validator, "")).isEqualTo(AuthFailure.MISSING_TOKEN);
  }

  @Test
  @DisplayName("Bearer parsing: a missing header or another scheme is MISSING_TOKEN; the scheme is case-insensitive")
  void bearer() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    assertThat(((JwtValidationException) catchFailure(validator.validateBearer(null))).reason())
        .isEqualTo(AuthFailure.MISSING_TOKEN);
    assertThat(((JwtValidationException) catchFailure(validator.validateBearer("Basic dXNlcjpwYXNz"))).reason())
        .isEqualTo(AuthFailure.MISSING_TOKEN);
    await(validator.validateBearer("bearer " + RSA.sign(claims(ISS, AUD))));
  }

  @Test
  @DisplayName("a rotated key is picked up by refetching the JWKS on its unknown kid")
  void rotation() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    await(validator.start());
    int before = jwks.jwksRequests();
    TestJwks.Key next = TestJwks.rsaKey("rsa-2");
    jwks.publish(next, RSA);
    clock.advance(Duration.ofSeconds(11));
    await(validator.validate(next.sign(claims(ISS, AUD))));
    assertThat(jwks.jwksRequests()).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("a flood of made-up kids causes at most one JWKS fetch per minimum refresh interval")
  void noFetchStorm() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    await(validator.start());
    clock.advance(Duration.ofSeconds(11));
    int before = jwks.jwksRequests();
    List<Future<ValidatedJwt>> attempts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      attempts.add(validator.validate(new TestJwks.Key("made-up-" + i, JwsAlgorithm.RS256, RSA.pair()).sign(claims(ISS, AUD))));
    }
    for (Future<ValidatedJwt> attempt : attempts) {
      assertThat(((JwtValidationException) catchFailure(attempt)).reason()).isEqualTo(AuthFailure.UNKNOWN_KEY);
    }
    assertThat(jwks.jwksRequests() - before).isEqualTo(1);
    // later, past the interval, one more refresh is allowed
    clock.advance(Duration.ofSeconds(11));
    refusal(validator, new TestJwks.Key("made-up-x", JwsAlgorithm.RS256, RSA.pair()).sign(claims(ISS, AUD)));
    assertThat(jwks.jwksRequests() - before).isEqualTo(2);
  }

  @Test
  @DisplayName("while the JWKS endpoint is down, cached keys keep validating and the failed fetch is counted")
  void endpointDown() throws Exception {
    JwtValidator validator = validator(new JsonObject());
    await(validator.start());
    jwks.down(true);
    clock.advance(Duration.ofHours(2)); // past refreshInterval: a background refresh is tried and fails
    await(validator.validate(RSA.sign(claims(ISS, AUD))));
    clock.advance(Duration.ofSeconds(11));
    assertThat(refusal(validator, TestJwks.rsaKey("new").sign(claims(ISS, AUD))))
        .isEqualTo(AuthFailure.UNKNOWN_KEY);
    await(validator.validate(EC.sign(claims(ISS, AUD))));
    assertThat(fetches("http_error")).isGreaterThanOrEqualTo(1);
    assertThat(fetches("success")).isEqualTo(1);
  }

  @Test
  @DisplayName("with the endpoint down from the start, tokens are refused as KEYS_UNAVAILABLE until it recovers")
  void neverLoaded() throws Exception {
    jwks.down(true);
    JwtValidator validator = validator(new JsonObject());
    await(validator.start());
    assertThat(refusal(validator, RSA.sign(claims(ISS, AUD)))).isEqualTo(AuthFailure.KEYS_UNAVAILABLE);
    jwks.down(false);
    clock.advance(Duration.ofSeconds(11));
    await(validator.validate(RSA.sign(claims(ISS, AUD))));
  }

  @Test
  @DisplayName("keys from a local JWKS file, re-read when the file is replaced and an unknown kid arrives")
  void fileSource() throws Exception {
    Path file = Files.createTempFile("jwks", ".json");
    Files.writeString(file, TestJwks.document(RSA));
    JwtValidator validator = validator(new JsonObject().put("jwksUrl", "").put("jwksFile", file.toString()));
    await(validator.start());
    await(validator.validate(RSA.sign(claims(ISS, AUD))));
    TestJwks.Key next = TestJwks.ecKey("file-2");
    Files.writeString(file, TestJwks.document(next));
    clock.advance(Duration.ofSeconds(11));
    await(validator.validate(next.sign(claims(ISS, AUD))));
    Files.delete(file);
  }

  @Test
  @DisplayName("keys found through OpenID discovery (jwks_uri)")
  void discovery() throws Exception {
    JwtValidator validator = validator(new JsonObject().put("jwksUrl", "").put("discoveryUrl", jwks.discoveryUrl()));
    await(validator.validate(EC.sign(claims(ISS, AUD))));
  }

  @Test
  @DisplayName("configuration refuses HS256/none in the allow-list and two key locations at once, naming the key")
  void configErrors() {
    assertThatThrownBy(() -> config(new JsonObject().put("algorithms", new JsonArray().add("HS256"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("x.algorithms");
    assertThatThrownBy(() -> config(new JsonObject().put("algorithms", new JsonArray().add("none"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("x.algorithms");
    assertThatThrownBy(() -> config(new JsonObject().put("jwksFile", "/tmp/x.json")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("x.jwksUrl");
  }
}
