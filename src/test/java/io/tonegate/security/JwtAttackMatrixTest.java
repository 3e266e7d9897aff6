package io.tonegate.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.tonegate.identity.JwtAlgorithm;
import io.tonegate.identity.SigningKey;
import io.tonegate.identity.TokenGrants;
import io.tonegate.testing.LogCapture;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestJwks;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JWT attack matrix: every door of the gateway that checks a JWT, against every attack on a JWT, with real keys,
 * real signed tokens and real sockets, on a production-mode gateway (devMode false).
 *
 * <p>Three token families reach the gateway: ACS's RS256 tokens (media upgrade, callbacks), the app's OIDC provider
 * tokens (/api/token, /api/call) and Tonegate's own ES256 tokens (presence WebSocket and API, Tonegate media
 * tokens). The attacks that need a correct signature (expired, wrong audience, ...) are signed with the family's
 * REAL key, the one the gateway trusts, so each refusal is the claim check under test and not a signature failure.
 * Every cell asserts 401, the door's own refusal counter and the validator's reason counter; a valid token at the
 * same door (the control) must pass, so a door that refused everything would fail the matrix too.
 */
@DisplayName("JWT attacks at every token-checking door: refused with 401, counted by door and by reason")
class JwtAttackMatrixTest {

  private static final String ACS_ISS = "https://acscallautomation.communication.azure.com";
  private static final String ACS_AUD = "5a1e0b7c-3d2f-4e61-9a8b-acde00000001";
  private static final String OIDC_ISS = "https://idp.security.test";
  private static final String APP_AUD = "tonegate-app";
  private static final String API_AUD = "tonegate-api";
  private static final String EVENTS_AUD = "tonegate-events";
  private static final String IDENTITY_AUD = "https://communication.azure.com";
  private static final String TG_ISS = "https://tonegate.security.test/";
  private static final String TG_AUD = "tonegate";
  private static final String CALL_ID = "5d1e4c2a-0000-4000-8000-00000000c0de";

  private static final TestJwks.Key ACS_KEY = TestJwks.rsaKey("acs-key-1");
  private static final TestJwks.Key OIDC_KEY = TestJwks.rsaKey("idp-key-1");
  /** An attacker's keys: one with a kid nobody published, one under a published kid. */
  private static final TestJwks.Key STRANGER = TestJwks.rsaKey("stranger-kid");
  private static final SigningKey STRANGER_EC =
      SigningKey.generate(JwtAlgorithm.ES256, Instant.now(), new SecureRandom());
  private static final SigningKey TONEGATE_KEY =
      SigningKey.generate(JwtAlgorithm.ES256, Instant.now(), new SecureRandom());

  private static Vertx vertx;
  private static TestJwks acsJwks;
  private static TestJwks oidcJwks;
  private static TestGateway gateway;
  private static WebClient web;
  private static SecurityTesting.Identity reader;
  private static SecurityTesting.Identity writer;

  enum Family { ACS, OIDC, TONEGATE }

  /** One way in that checks a JWT: how to knock, which family of token it takes, and what it counts. */
  record Door(String name, Family family, String audience, String scope) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Door> DOORS = List.of(
      new Door("wss /ws/media (ACS JWT)", Family.ACS, ACS_AUD, null),
      new Door("POST /api/callbacks (ACS JWT)", Family.ACS, ACS_AUD, null),
      new Door("POST /api/token (OIDC bearer)", Family.OIDC, APP_AUD, null),
      new Door("POST /api/call (OIDC bearer)", Family.OIDC, API_AUD, null),
      new Door("POST /api/events (Entra JWT)", Family.OIDC, EVENTS_AUD, null),
      new Door("POST /identities (Entra bearer)", Family.OIDC, IDENTITY_AUD, null),
      new Door("wss /ws/presence (Tonegate token)", Family.TONEGATE, TG_AUD, "presence.read"),
      new Door("GET /api/presence/{user} (Tonegate token)", Family.TONEGATE, TG_AUD, "presence.read"),
      new Door("PUT /api/presence/{user} (Tonegate token)", Family.TONEGATE, TG_AUD, "presence.write"),
      new Door("wss /ws/media (Tonegate media token)", Family.TONEGATE, TG_AUD, "media"),
      new Door("POST /api/sessions (Tonegate token)", Family.TONEGATE, TG_AUD, "sessions.write"));

  /** An attack: builds the Authorization header (null: none) for a door, and the reason it must be refused with. */
  record Attack(String name, String reason, Function<Door, String> authorization) {

    /**
     * The reason the door counts. Two differ by door, both for a reason: Tonegate's verifier refuses a token that
     * ends in '.' (no signature) as malformed before it reads alg; and /ws/media routes a token by its (unverified)
     * issuer, so an ACS token claiming another issuer goes to the Tonegate verifier, which knows no such kid.
     */
    String reasonAt(Door door) {
      if (reason != null && reason.equals("algorithm_not_allowed") && name.contains("empty signature")
          && door.family() == Family.TONEGATE) {
        return "malformed";
      }
      if (reason != null && reason.equals("wrong_issuer") && door.name().equals("wss /ws/media (ACS JWT)")) {
        return "unknown_key";
      }
      return reason;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Attack> ATTACKS = List.of(
      new Attack("no Authorization header", null, door -> null),
      new Attack("alg none, empty signature", "algorithm_not_allowed",
          door -> bearer(unsigned(door, "none") + ".")),
      new Attack("alg none, signature of the real token kept", "algorithm_not_allowed",
          door -> bearer(unsigned(door, "none") + "." + signatureOf(realToken(door, validClaims(door))))),
      new Attack("HS256 keyed with the trusted public key (DER), RS/HS confusion", "algorithm_not_allowed",
          door -> bearer(hs256(door, publicKey(door).getEncoded()))),
      new Attack("HS256 keyed with the trusted public key (PEM text), RS/HS confusion", "algorithm_not_allowed",
          door -> bearer(hs256(door, pem(publicKey(door)).getBytes(StandardCharsets.US_ASCII)))),
      new Attack("expired an hour ago (real key)", "expired",
          door -> bearer(realToken(door, validClaims(door).put("iat", now() - 7200).put("nbf", now() - 7200)
              .put("exp", now() - 3600)))),
      new Attack("not valid for another hour: nbf (real key)", "not_yet_valid",
          door -> bearer(realToken(door, validClaims(door).put("nbf", now() + 3600)))),
      new Attack("issued in the future: iat (real key)", "not_yet_valid",
          door -> bearer(realToken(door, validClaims(door).put("iat", now() + 3600).put("exp", now() + 7200)))),
      new Attack("wrong audience (real key)", "wrong_audience",
          door -> bearer(realToken(door, validClaims(door).put("aud", "someone-else")))),
      new Attack("audience of another door of the same issuer (real key)", "wrong_audience",
          door -> bearer(realToken(door, validClaims(door).put("aud", otherAudience(door))))),
      new Attack("wrong issuer (real key)", "wrong_issuer",
          door -> bearer(realToken(door, validClaims(door).put("iss", "https://evil.example")))),
      new Attack("unknown kid (attacker's key)", "unknown_key",
          door -> bearer(JwtSigner.sign(algorithm(door), "kid-nobody-published", attackerKey(door),
              validClaims(door)))),
      new Attack("published kid, attacker's key", "bad_signature",
          door -> bearer(JwtSigner.sign(algorithm(door), kid(door), attackerKey(door), validClaims(door)))),
      new Attack("payload altered after signing", "bad_signature",
          door -> bearer(alteredPayload(realToken(door, validClaims(door))))),
      new Attack("no exp claim (real key)", "invalid_claims",
          door -> bearer(realToken(door, without(validClaims(door), "exp")))),
      new Attack("revoked identity (real key)", "revoked",
          door -> door.family() == Family.TONEGATE ? bearer(revokedToken(door)) : null));

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    acsJwks = TestJwks.start(vertx).publish(ACS_KEY);
    oidcJwks = TestJwks.start(vertx).publish(OIDC_KEY);
    Path keyFile = Files.createTempFile("tonegate-signing", ".pem");
    Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(TONEGATE_KEY.privateKeyPkcs8()) + "\n-----END PRIVATE KEY-----\n");
    keyFile.toFile().deleteOnExit();
    JsonObject config = TestGateway.productionMode();
    config.put("accessKey", SecurityTesting.ACCESS_KEY)
        .put("redis", new JsonObject().put("keyPrefix", "jm" + UUID.randomUUID().toString().substring(0, 8) + ":"))
        .put("media", new JsonObject().put("acs", new JsonObject().put("jwksUrl", acsJwks.url())
            .put("audiences", new JsonArray().add(ACS_AUD))))
        .put("identity", new JsonObject().put("issuer", TG_ISS).put("audience", TG_AUD)
            .put("tokens", new JsonObject().put("signingKeyPath", keyFile.toString()))
            .put("bearer", new JsonObject().put("enabled", true).put("issuer", OIDC_ISS)
                .put("audiences", new JsonArray().add(IDENTITY_AUD)).put("jwksUrl", oidcJwks.url())))
        .put("calls", new JsonObject()
            .put("eventGrid", new JsonObject().put("entra", new JsonObject().put("issuer", OIDC_ISS)
                .put("audiences", new JsonArray().add(EVENTS_AUD)).put("jwksUrl", oidcJwks.url())))
            .put("callbacks", new JsonObject().put("jwksUrl", acsJwks.url()).put("audiences", new JsonArray().add(ACS_AUD)))
            .put("api", new JsonObject().put("issuer", OIDC_ISS).put("audiences", new JsonArray().add(API_AUD))
                .put("jwksUrl", oidcJwks.url()).put("ratePerMinute", 10_000)))
        .put("rateLimits", new JsonObject().put("perSourceIp", new JsonObject().put("limit", 10_000).put("window", "1m")))
        .put("appToken", new JsonObject().put("enabled", true)
            .put("providers", new JsonArray().add(new JsonObject().put("name", "idp").put("issuer", OIDC_ISS)
                .put("audiences", new JsonArray().add(APP_AUD)).put("jwksUrl", oidcJwks.url())
                .put("algorithms", new JsonArray().add("RS256"))))
            .put("rateLimits", new JsonObject()
                .put("perUser", new JsonObject().put("limit", 10_000).put("window", "1m"))
                .put("perIp", new JsonObject().put("limit", 0).put("window", "1m"))));
    gateway = TestGateway.start(config);
    web = gateway.webClient(vertx);
    reader = SecurityTesting.newIdentity(web, gateway, "presence.read");
    writer = SecurityTesting.newIdentity(web, gateway, "presence.write");
  }

  @AfterAll
  static void stop() throws Exception {
    web.close();
    gateway.close();
    acsJwks.close();
    oidcJwks.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static Stream<Door> doors() {
    return DOORS.stream();
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cells = new ArrayList<>();
    for (Door door : DOORS) {
      for (Attack attack : ATTACKS) {
        if (attack.reason() != null && attack.reason().equals("revoked") && door.family() != Family.TONEGATE) {
          continue;   // ACS and OIDC tokens have no revocation: their lifetime (5 min callbacks, 24 h media) bounds them
        }
        cells.add(Arguments.of(door, attack));
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("doors")
  @DisplayName("control: a valid token of the door's family passes the door's authentication")
  void validTokenPasses(Door door) throws Exception {
    int status = knock(door, bearer(realToken(door, validClaims(door))));
    assertThat(status).as("a valid token at %s", door).isIn(101, 200, 201, 204, 400);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  @DisplayName("each attack at each door: 401, counted as a refusal of that door and under the attack's reason, nothing logged at ERROR")
  void attackRefused(Door door, Attack attack) throws Exception {
    String authorization = attack.authorization().apply(door);
    double refusals = refusals(door);
    String reason = attack.reasonAt(door);
    double reasons = reason == null ? 0 : reasonCount(door, reason);
    try (LogCapture log = new LogCapture()) {
      assertThat(knock(door, authorization)).as("%s at %s", attack, door).isEqualTo(401);
      assertThat(log.errors()).as("a forged token is not an operator's problem: nothing at ERROR").isEmpty();
    }
    assertThat(refusals(door) - refusals).as("refusals counted at %s", door).isGreaterThanOrEqualTo(1);
    if (reason != null) {
      assertThat(reasonCount(door, reason) - reasons).as("reason %s counted", reason).isGreaterThanOrEqualTo(1);
    }
  }

  // ---- the doors ---------------------------------------------------------------------------------------------

  /** Sends the door's request with {@code authorization} and returns the HTTP status (101 for an open WebSocket). */
  private static int knock(Door door, String authorization) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    switch (door.name()) {
      case "wss /ws/media (ACS JWT)", "wss /ws/media (Tonegate media token)" -> {
        headers.add("x-ms-call-connection-id", CALL_ID).add("x-ms-call-correlation-id", "corr-" + CALL_ID);
        return gateway.upgradeStatus(vertx, "/ws/media", headers);
      }
      case "wss /ws/presence (Tonegate token)" -> {
        return gateway.upgradeStatus(vertx, "/ws/presence", headers);
      }
      case "POST /api/callbacks (ACS JWT)" -> {
        JsonArray event = new JsonArray().add(new JsonObject().put("id", UUID.randomUUID().toString())
            .put("source", "calling/callConnections/" + CALL_ID).put("specversion", "1.0")
            .put("type", "Microsoft.Communication.ParticipantsUpdated")
            .put("data", new JsonObject().put("callConnectionId", CALL_ID)));
        return send(web.post("/api/callbacks"), headers, event.encode());
      }
      case "POST /api/token (OIDC bearer)" -> {
        return send(web.post("/api/token"), headers, null);
      }
      case "POST /api/call (OIDC bearer)" -> {
        return send(web.post("/api/call"), headers, "{}");   // authenticated, a missing target is 400
      }
      case "POST /api/events (Entra JWT)" -> {
        return send(web.post("/api/events"), headers, "[]");
      }
      case "POST /identities (Entra bearer)" -> {
        return send(web.post("/identities?api-version=" + SecurityTesting.API_VERSION), headers, "{}");
      }
      case "POST /api/sessions (Tonegate token)" -> {
        return send(web.post("/api/sessions"), headers, new JsonObject().put("key", "pstn:+1555"
            + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999) + ":8231").put("ttlSeconds", 60).encode());
      }
      case "GET /api/presence/{user} (Tonegate token)" -> {
        return send(web.get("/api/presence/" + SecurityTesting.encode(reader.id())), headers, null);
      }
      case "PUT /api/presence/{user} (Tonegate token)" -> {
        return send(web.put("/api/presence/" + SecurityTesting.encode(writer.id())), headers,
            new JsonObject().put("availability", "Busy").put("activity", "InACall").encode());
      }
      default -> throw new IllegalArgumentException(door.name());
    }
  }

  private static int send(HttpRequest<Buffer> request, MultiMap headers, String body) throws Exception {
    request.putHeaders(headers);
    HttpResponse<Buffer> response = (body == null ? request.send()
        : request.putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body)))
        .await(20, TimeUnit.SECONDS);
    if (response.statusCode() >= 400) {
      // every refusal is a JSON error in the ACS shape, never a stack trace
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isNotBlank();
      assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
    }
    return response.statusCode();
  }

  /** The door's own count of refused requests (every reason). */
  private static double refusals(Door door) {
    return switch (door.name()) {
      case "wss /ws/media (ACS JWT)", "wss /ws/media (Tonegate media token)" ->
          sum(registry().find("tonegate.media.upgrades.refused"));
      case "POST /api/callbacks (ACS JWT)" -> sum(registry().find("tonegate.calls.refused").tag("endpoint", "callbacks"));
      case "POST /api/call (OIDC bearer)" -> sum(registry().find("tonegate.calls.refused").tag("endpoint", "call"));
      case "POST /api/events (Entra JWT)" -> sum(registry().find("tonegate.calls.refused").tag("endpoint", "events"));
      // a refused bearer token is counted by its validator; no bearer at all falls through to HMAC, counted there
      case "POST /identities (Entra bearer)" -> sum(registry().find("tonegate.auth.failures")
          .tag("validator", "identity-bearer")) + sum(registry().find("tonegate.identity.hmac.failures"));
      case "POST /api/token (OIDC bearer)" ->
          sum(registry().find("tonegate.apptoken.requests").tag("outcome", "unauthenticated"));
      case "wss /ws/presence (Tonegate token)" -> sum(registry().find("tonegate.presence.refused").tag("endpoint", "ws"));
      case "GET /api/presence/{user} (Tonegate token)" ->
          sum(registry().find("tonegate.presence.refused").tag("endpoint", "get"));
      case "PUT /api/presence/{user} (Tonegate token)" ->
          sum(registry().find("tonegate.presence.refused").tag("endpoint", "put"));
      // a refused token is counted by the token authenticator; no bearer at all falls through to HMAC
      case "POST /api/sessions (Tonegate token)" -> sum(registry().find("tonegate.identity.token.rejections"))
          + sum(registry().find("tonegate.identity.hmac.failures"));
      default -> throw new IllegalArgumentException(door.name());
    };
  }

  /** How often the door's validator refused a token for {@code reason}. */
  private static double reasonCount(Door door, String reason) {
    return switch (door.name()) {
      case "wss /ws/media (ACS JWT)" -> sum(registry().find("tonegate.media.upgrades.refused")
          .tag("reason", "auth_" + reason));
      // media maps Tonegate rejections onto its auth_<reason> refusals; revoked is not_permitted there
      case "wss /ws/media (Tonegate media token)" -> sum(registry().find("tonegate.media.upgrades.refused")
          .tag("reason", "auth_" + (reason.equals("revoked") ? "not_permitted" : reason)));
      case "POST /api/callbacks (ACS JWT)" -> sum(registry().find("tonegate.auth.failures")
          .tag("validator", "acs-callbacks").tag("reason", reason));
      case "POST /api/call (OIDC bearer)" -> sum(registry().find("tonegate.auth.failures")
          .tag("validator", "api-call").tag("reason", reason));
      case "POST /api/token (OIDC bearer)" -> sum(registry().find("tonegate.auth.failures")
          .tag("validator", "apptoken-idp").tag("reason", reason));
      case "POST /api/events (Entra JWT)" -> sum(registry().find("tonegate.auth.failures")
          .tag("validator", "eventgrid-entra").tag("reason", reason));
      case "POST /identities (Entra bearer)" -> sum(registry().find("tonegate.auth.failures")
          .tag("validator", "identity-bearer").tag("reason", reason));
      default -> sum(registry().find("tonegate.identity.token.rejections").tag("reason", reason));
    };
  }

  private static MeterRegistry registry() {
    return gateway.gateway().context().registry();
  }

  private static double sum(Search search) {
    return search.counters().stream().mapToDouble(Counter::count).sum();
  }

  // ---- the tokens ----------------------------------------------------------------------------------------------

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  /** Claims of a token the door accepts, valid for an hour. */
  private static JsonObject validClaims(Door door) {
    long now = now();
    return switch (door.family()) {
      case ACS -> TestJwks.claims(ACS_ISS, door.audience()).put("sub", "acs");
      case OIDC -> TestJwks.claims(OIDC_ISS, door.audience()).put("sub", "user-" + UUID.randomUUID());
      case TONEGATE -> {
        SecurityTesting.Identity who = door.scope().equals("presence.write") ? writer : reader;
        JsonObject claims = new JsonObject().put("iss", TG_ISS).put("aud", TG_AUD)
            .put("skypeid", who.id().substring(2)).put("acsScope", door.scope())
            .put("iat", now).put("exp", now + 3600);
        if (door.scope().equals("media")) {
          claims.put(TokenGrants.CLAIM, new JsonObject().put("media", new JsonObject().put("callConnectionId", CALL_ID)));
        }
        yield claims;
      }
    };
  }

  private static JwsAlgorithm algorithm(Door door) {
    return door.family() == Family.TONEGATE ? JwsAlgorithm.ES256 : JwsAlgorithm.RS256;
  }

  private static String kid(Door door) {
    return switch (door.family()) {
      case ACS -> ACS_KEY.kid();
      case OIDC -> OIDC_KEY.kid();
      case TONEGATE -> TONEGATE_KEY.kid();
    };
  }

  private static PublicKey publicKey(Door door) {
    return switch (door.family()) {
      case ACS -> ACS_KEY.pair().getPublic();
      case OIDC -> OIDC_KEY.pair().getPublic();
      case TONEGATE -> TONEGATE_KEY.publicKey();
    };
  }

  /** Signed with the key the gateway trusts for this family. */
  private static String realToken(Door door, JsonObject claims) {
    return switch (door.family()) {
      case ACS -> ACS_KEY.sign(claims);
      case OIDC -> OIDC_KEY.sign(claims);
      case TONEGATE -> JwtSigner.sign(JwsAlgorithm.ES256, TONEGATE_KEY.kid(), tonegatePrivateKey(), claims);
    };
  }

  private static PrivateKey attackerKey(Door door) {
    return door.family() == Family.TONEGATE ? ecPrivate(STRANGER_EC.privateKeyPkcs8()) : STRANGER.pair().getPrivate();
  }

  private static PrivateKey tonegatePrivateKey() {
    return ecPrivate(TONEGATE_KEY.privateKeyPkcs8());
  }

  private static PrivateKey ecPrivate(byte[] pkcs8) {
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code header.payload} of the door's valid claims under a header with {@code alg} and the real kid. */
  private static String unsigned(Door door, String alg) {
    return JwtSigner.encode(new JsonObject().put("alg", alg).put("kid", kid(door)).put("typ", "JWT")) + "."
        + JwtSigner.encode(validClaims(door));
  }

  /** The classic key-confusion forgery: HS256 with the verifier's public key bytes as the HMAC secret. */
  private static String hs256(Door door, byte[] secret) {
    String input = unsigned(door, "HS256");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static String signatureOf(String token) {
    return token.substring(token.lastIndexOf('.') + 1);
  }

  /** The same token with one claim changed (sub, or skypeid for Tonegate tokens) and the original signature. */
  private static String alteredPayload(String token) {
    String[] parts = token.split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    if (claims.containsKey("skypeid")) {
      claims.put("acsScope", claims.getString("acsScope") + ",sessions.write");
    } else {
      claims.put("sub", "admin");
    }
    return parts[0] + "." + JwtSigner.encode(claims) + "." + parts[2];
  }

  private static JsonObject without(JsonObject claims, String name) {
    claims.remove(name);
    return claims;
  }

  private static String otherAudience(Door door) {
    return switch (door.family()) {
      case ACS -> "another-acs-resource";
      case OIDC -> door.audience().equals(APP_AUD) ? API_AUD : APP_AUD;   // a token minted for another API
      case TONEGATE -> "another-tonegate";
    };
  }

  /**
   * A token, signed with the real key, of a fresh identity whose tokens were then revoked through the identity API
   * (so the revocation is the one thing wrong with it).
   */
  private static String revokedToken(Door door) {
    try {
      SecurityTesting.Identity victim = SecurityTesting.newIdentity(web, gateway, "voip");
      JsonObject claims = validClaims(door).put("skypeid", victim.id().substring(2)).put("iat", now() - 30);
      String token = realToken(door, claims);
      SecurityTesting.revoke(web, gateway, victim.id());
      return token;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
