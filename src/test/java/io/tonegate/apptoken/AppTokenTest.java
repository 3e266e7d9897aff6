package io.tonegate.apptoken;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.auth.JwtSigner;
import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmac;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.identity.IdentityModule;
import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenScope;
import io.tonegate.identity.VerifiedToken;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestJwks;
import io.tonegate.testing.TestOidcProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * POST /api/token against the real gateway (HTTPS, Redis) and a real test OIDC provider (discovery, JWKS with two
 * keys, rotation) that signs real tokens.
 */
@DisplayName("App token route: OIDC users get their identity and a scoped token")
class AppTokenTest {

  static final AcsAccessKey ACCESS_KEY = AcsAccessKey.generate(new SecureRandom());
  static Vertx vertx;
  static TestOidcProvider idp;
  static TestOidcProvider unreachable;
  static TestGateway gateway;
  static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    idp = TestOidcProvider.start(vertx);
    unreachable = TestOidcProvider.start(vertx);
    unreachable.down(true);   // never answered: its keys were never loaded
    gateway = TestGateway.start(config(new JsonObject()));
    client = gateway.webClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    idp.close();
    unreachable.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static JsonObject provider(String name, TestOidcProvider provider) {
    return new JsonObject().put("name", name).put("issuer", provider.issuer())
        .put("audiences", new JsonArray().add(TestOidcProvider.AUDIENCE))
        .put("discoveryUrl", provider.discoveryUrl())
        .put("algorithms", new JsonArray().add("RS256").add("ES256"))
        .put("minRefreshInterval", "0s")
        .put("fetchTimeout", "2s");
  }

  /** appToken enabled with both providers, a policy with every kind of rule, and its own Redis key prefix. */
  static JsonObject config(JsonObject appTokenOverrides) {
    JsonObject appToken = new JsonObject()
        .put("enabled", true)
        .put("providers", new JsonArray().add(provider("test", idp)).add(provider("down", unreachable)))
        .put("policy", new JsonArray()
            .add(new JsonObject().put("scopes", new JsonArray().add("voip")))
            .add(new JsonObject().put("claim", "roles").put("anyOf", new JsonArray().add("agent"))
                .put("scopes", new JsonArray().add("pstn").add("presence.read").add("media")))
            .add(new JsonObject().put("claim", "realm_access.roles").put("anyOf", new JsonArray().add("ops"))
                .put("scopes", new JsonArray().add("presence.write")))
            .add(new JsonObject().put("claim", "scp").put("anyOf", new JsonArray().add("Calls.Chat"))
                .put("scopes", new JsonArray().add("chat")).put("provider", "test")))
        .put("rateLimits", new JsonObject()
            .put("perUser", new JsonObject().put("limit", 1000).put("window", "1m"))
            .put("perIp", new JsonObject().put("limit", 0).put("window", "1m")));
    appToken.mergeIn(appTokenOverrides, true);
    return new JsonObject()
        .put("accessKey", ACCESS_KEY.toBase64())
        .put("redis", new JsonObject().put("keyPrefix", "t" + UUID.randomUUID().toString().substring(0, 8) + ":"))
        .put("appToken", appToken);
  }

  static HttpResponse<Buffer> requestToken(WebClient web, String bearer, JsonObject body) throws Exception {
    HttpRequest<Buffer> request = web.post(AppTokenModule.PATH);
    if (bearer != null) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
    return sent.await(10, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> requestToken(String bearer, JsonObject body) throws Exception {
    return requestToken(client, bearer, body);
  }

  static String errorCode(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  static String newUser() {
    return "user-" + UUID.randomUUID();
  }

  static MeterRegistry registry(TestGateway g) {
    return g.gateway().context().registry();
  }

  static double outcomes(TestGateway g, String outcome) {
    return registry(g).get("tonegate.apptoken.requests").tag("outcome", outcome).counter().count();
  }

  static double authFailures(String provider, String reason) {
    return registry(gateway).get("tonegate.auth.failures").tag("validator", "apptoken-" + provider)
        .tag("reason", reason).counter().count();
  }

  static VerifiedToken verify(String token, TokenScope scope) throws Exception {
    IdentityModule identity = gateway.gateway().module(IdentityModule.class).orElseThrow();
    return identity.tokenAuthenticator().authenticate(token, scope).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("A valid provider token gets an identity and a Tonegate token (default scope voip, 60 minutes)")
  void validToken() throws Exception {
    double before = outcomes(gateway, "issued");
    HttpResponse<Buffer> response = requestToken(idp.token(newUser()).sign(), null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("cache-control")).isEqualTo("no-store");
    JsonObject body = response.bodyAsJsonObject();
    String id = body.getJsonObject("identity").getString("id");
    assertThat(id).matches("8:acs:tonegate_[0-9a-f-]{36}");
    String token = body.getJsonObject("accessToken").getString("token");
    OffsetDateTime expiresOn = OffsetDateTime.parse(body.getJsonObject("accessToken").getString("expiresOn"));
    assertThat(Duration.between(Instant.now(), expiresOn.toInstant()).toMinutes()).isBetween(58L, 60L);
    VerifiedToken verified = verify(token, TokenScope.VOIP);
    assertThat(verified.identityId()).isEqualTo(id);
    assertThat(verified.scopes()).containsExactly(TokenScope.VOIP);
    assertThat(TokenGrants.fromToken(verified)).isEqualTo(TokenGrants.NONE);
    assertThat(outcomes(gateway, "issued")).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("The same user gets the same identity every time; another user another one; ES256 tokens work too")
  void sameUserSameIdentity() throws Exception {
    String alice = newUser();
    String first = identityOf(requestToken(idp.token(alice).sign(), null));
    String second = identityOf(requestToken(idp.token(alice).signedWith(idp.keys().get(1)).sign(), null));
    String bob = identityOf(requestToken(idp.token(newUser()).sign(), null));
    assertThat(second).isEqualTo(first);
    assertThat(bob).isNotEqualTo(first);
  }

  /** A client with 20 connections, so 20 requests are really in flight at once (the default pool has 5). */
  static WebClient wideClient() {
    return WebClient.wrap(vertx.createHttpClient(gateway.httpOptions(), new PoolOptions().setHttp1MaxSize(20)));
  }

  static String identityOf(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonObject("identity").getString("id");
  }

  @Test
  @DisplayName("20 concurrent first requests of one user create exactly one identity")
  void concurrentFirstCalls() throws Exception {
    double createdBefore = registry(gateway).get("tonegate.identity.identities").counter().count();
    String token = idp.token(newUser()).sign();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    WebClient wide = wideClient();
    for (int i = 0; i < 20; i++) {
      calls.add(wide.post(AppTokenModule.PATH).putHeader("Authorization", "Bearer " + token).send());
    }
    Future.all(calls).await(20, TimeUnit.SECONDS);
    wide.close();
    Set<String> ids = new HashSet<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      ids.add(identityOf(call.result()));
    }
    assertThat(ids).hasSize(1);
    assertThat(registry(gateway).get("tonegate.identity.identities").counter().count())
        .isEqualTo(createdBefore + 1);
  }

  @Test
  @DisplayName("Expired, wrong issuer, wrong audience and unknown-key tokens are refused with 401 and their reasons")
  void refusedTokens() throws Exception {
    String user = newUser();
    record Case(String token, String reason) {
    }
    List<Case> cases = List.of(
        new Case(idp.token(user).expiredSecondsAgo(120).sign(), "expired"),
        new Case(idp.token(user).claim("iss", "https://evil.example").sign(), "wrong_issuer"),
        new Case(idp.token(user).claim("aud", "api://another-app").sign(), "wrong_audience"),
        new Case(idp.token(user).signedWith(TestJwks.rsaKey("never-published")).sign(), "unknown_key"),
        new Case(idp.token(user).signedWith(new TestJwks.Key(idp.signingKey().kid(), idp.signingKey().alg(),
            TestJwks.rsaKey("x").pair())).sign(), "bad_signature"),
        new Case(idp.token(user).without("sub").sign(), "invalid_claims"),
        new Case(idp.token("bad\u0000subject").sign(), "invalid_claims"),
        new Case(idp.token("s".repeat(256)).sign(), "invalid_claims"));
    for (Case c : cases) {
      double before = authFailures("test", c.reason());
      HttpResponse<Buffer> response = requestToken(c.token(), null);
      assertThat(response.statusCode()).as(c.reason()).isEqualTo(401);
      assertThat(errorCode(response)).isEqualTo("InvalidToken");
      assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
      assertThat(authFailures("test", c.reason())).as(c.reason()).isEqualTo(before + 1);
    }
    HttpResponse<Buffer> none = requestToken(null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  @DisplayName("alg none and HS256 signed with the provider's public key are refused as algorithm_not_allowed")
  void algorithmAttacks() throws Exception {
    JsonObject claims = idp.token(newUser()).claims();
    String payload = JwtSigner.encode(claims);
    String kid = idp.signingKey().kid();
    String none = JwtSigner.encode(new JsonObject().put("alg", "none").put("kid", kid)) + "." + payload + ".";
    String hsHeader = JwtSigner.encode(new JsonObject().put("alg", "HS256").put("kid", kid).put("typ", "JWT"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(idp.signingKey().pair().getPublic().getEncoded(), "HmacSHA256"));
    String hs256 = hsHeader + "." + payload + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal((hsHeader + "." + payload).getBytes(StandardCharsets.US_ASCII)));
    double before = authFailures("test", "algorithm_not_allowed");
    for (String token : List.of(none, hs256)) {
      HttpResponse<Buffer> response = requestToken(token, null);
      assertThat(response.statusCode()).isEqualTo(401);
    }
    assertThat(authFailures("test", "algorithm_not_allowed")).isEqualTo(before + 2);
  }

  @Test
  @DisplayName("The policy allows scopes by claim (roles, a nested Keycloak path, a space-separated scp) and denies the rest with 403")
  void policy() throws Exception {
    HttpResponse<Buffer> denied = requestToken(idp.token(newUser()).sign(),
        new JsonObject().put("scopes", new JsonArray().add("voip").add("pstn")));
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(errorCode(denied)).isEqualTo("ScopeNotAllowed");
    assertThat(denied.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("pstn")
        .doesNotContain("voip");

    HttpResponse<Buffer> agent = requestToken(idp.token(newUser()).claim("roles", List.of("agent")).sign(),
        new JsonObject().put("scopes", new JsonArray().add("voip").add("pstn").add("presence.read")));
    assertThat(agent.statusCode()).isEqualTo(200);
    VerifiedToken token = verify(agent.bodyAsJsonObject().getJsonObject("accessToken").getString("token"),
        TokenScope.PSTN);
    assertThat(token.scopes()).containsExactlyInAnyOrder(TokenScope.VOIP, TokenScope.PSTN, TokenScope.PRESENCE_READ);

    String ops = idp.token(newUser()).claim("realm_access", new JsonObject().put("roles", new JsonArray().add("ops")))
        .sign();
    assertThat(requestToken(ops, new JsonObject().put("scopes", new JsonArray().add("presence.write"))).statusCode())
        .isEqualTo(200);
    String chat = idp.token(newUser()).claim("scp", "Calls.Read Calls.Chat").sign();
    assertThat(requestToken(chat, new JsonObject().put("scopes", new JsonArray().add("chat"))).statusCode())
        .isEqualTo(200);
    assertThat(requestToken(idp.token(newUser()).claim("roles", List.of("agent")).sign(),
        new JsonObject().put("scopes", new JsonArray().add("chat"))).statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("Bad bodies get 400: expiry outside 60..1440, unknown scope or grant, media without a grant, grant without its scope")
  void badRequests() throws Exception {
    String agent = idp.token(newUser()).claim("roles", List.of("agent")).sign();
    List<JsonObject> bodies = List.of(
        new JsonObject().put("expiresInMinutes", 59),
        new JsonObject().put("expiresInMinutes", 1441),
        new JsonObject().put("expiresInMinutes", 90.5),
        new JsonObject().put("scopes", new JsonArray().add("admin")),
        new JsonObject().put("scopes", new JsonArray()),
        new JsonObject().put("scopes", new JsonArray().add("media")),
        new JsonObject().put("scopes", new JsonArray().add("voip"))
            .put("grants", new JsonObject().put("media", new JsonObject().put("callConnectionId", "c1"))),
        new JsonObject().put("scopes", new JsonArray().add("presence.read"))
            .put("grants", new JsonObject().put("rooms", new JsonObject())),
        new JsonObject().put("scopes", new JsonArray().add("presence.read"))
            .put("grants", new JsonObject().put("presence", new JsonObject().put("users", new JsonArray()))),
        new JsonObject().put("unexpected", true));
    for (JsonObject body : bodies) {
      HttpResponse<Buffer> response = requestToken(agent, body);
      assertThat(response.statusCode()).as(body.encode()).isEqualTo(400);
      assertThat(errorCode(response)).isEqualTo("BadRequest");
    }
    HttpResponse<Buffer> notJson = client.post(AppTokenModule.PATH).putHeader("Authorization", "Bearer " + agent)
        .sendBuffer(Buffer.buffer("[1,2")).await(10, TimeUnit.SECONDS);
    assertThat(notJson.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> longest = requestToken(agent, new JsonObject().put("expiresInMinutes", 1440));
    assertThat(longest.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("Grants are written into the token: a media token for one call, a presence token for listed users")
  void grantsInToken() throws Exception {
    String agent = idp.token(newUser()).claim("roles", List.of("agent")).sign();
    HttpResponse<Buffer> media = requestToken(agent, new JsonObject().put("scopes", new JsonArray().add("media"))
        .put("grants", new JsonObject().put("media", new JsonObject().put("callConnectionId", "call-42"))));
    assertThat(media.statusCode()).as(media.bodyAsString()).isEqualTo(200);
    TokenGrants mediaGrants = TokenGrants.fromToken(verify(
        media.bodyAsJsonObject().getJsonObject("accessToken").getString("token"), TokenScope.MEDIA));
    assertThat(mediaGrants.permitsMedia("call-42")).isTrue();
    assertThat(mediaGrants.permitsMedia("call-43")).isFalse();

    HttpResponse<Buffer> presence = requestToken(agent, new JsonObject()
        .put("scopes", new JsonArray().add("presence.read"))
        .put("grants", new JsonObject().put("presence", new JsonObject()
            .put("users", new JsonArray().add("8:acs:tonegate_a").add("8:acs:tonegate_b")))));
    assertThat(presence.statusCode()).isEqualTo(200);
    TokenGrants presenceGrants = TokenGrants.fromToken(verify(
        presence.bodyAsJsonObject().getJsonObject("accessToken").getString("token"), TokenScope.PRESENCE_READ));
    assertThat(presenceGrants.permitsPresenceUser("8:acs:tonegate_a")).isTrue();
    assertThat(presenceGrants.permitsPresenceUser("8:acs:tonegate_c")).isFalse();
    assertThat(presenceGrants.permitsMedia("call-42")).isFalse();
  }

  static String appToken(String scope, JsonObject grants) throws Exception {
    String agent = idp.token(newUser()).claim("roles", List.of("agent")).sign();
    HttpResponse<Buffer> response = requestToken(agent, new JsonObject().put("scopes", new JsonArray().add(scope))
        .put("grants", grants));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonObject("accessToken").getString("token");
  }

  @Test
  @DisplayName("The media WebSocket enforces the media grant: the token opens its call's /ws/media, not another call's")
  void mediaGrantEnforced() throws Exception {
    String token = appToken("media", new JsonObject().put("media", new JsonObject().put("callConnectionId", "call-77")));
    assertThat(gateway.upgradeStatus(vertx, "/ws/media", mediaHeaders("call-77", token))).isEqualTo(101);
    assertThat(gateway.upgradeStatus(vertx, "/ws/media", mediaHeaders("call-78", token))).isEqualTo(401);
  }

  static io.vertx.core.MultiMap mediaHeaders(String callId, String token) {
    return io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("x-ms-call-connection-id", callId)
        .add("x-ms-call-correlation-id", "corr-" + callId).add("Authorization", "Bearer " + token);
  }

  @Test
  @DisplayName("The presence API enforces the presence grant: listed users can be read, others are 403")
  void presenceGrantEnforced() throws Exception {
    String token = appToken("presence.read", new JsonObject().put("presence", new JsonObject()
        .put("users", new JsonArray().add("8:acs:tonegate_granted"))));
    HttpResponse<Buffer> granted = client.get("/api/presence/8:acs:tonegate_granted")
        .putHeader("Authorization", "Bearer " + token).send().await(10, TimeUnit.SECONDS);
    assertThat(granted.statusCode()).as(granted.bodyAsString()).isEqualTo(200);
    HttpResponse<Buffer> other = client.get("/api/presence/8:acs:tonegate_other")
        .putHeader("Authorization", "Bearer " + token).send().await(10, TimeUnit.SECONDS);
    assertThat(other.statusCode()).isEqualTo(403);
    String unrestricted = appToken("presence.read", null);
    assertThat(client.get("/api/presence/8:acs:tonegate_other").putHeader("Authorization", "Bearer " + unrestricted)
        .send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("A provider key rotation is picked up without restart: tokens signed with the new key are accepted")
  void keyRotation() throws Exception {
    String user = newUser();
    assertThat(requestToken(idp.token(user).sign(), null).statusCode()).isEqualTo(200);
    int fetches = idp.jwksRequests();
    idp.rotate();
    HttpResponse<Buffer> rotated = requestToken(idp.token(user).sign(), null);
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    assertThat(idp.jwksRequests()).isGreaterThan(fetches);
  }

  @Test
  @DisplayName("Provider down: cached keys keep working; a provider whose keys never loaded gives 503 with a clear reason")
  void providerDown() throws Exception {
    String user = newUser();
    assertThat(requestToken(idp.token(user).sign(), null).statusCode()).isEqualTo(200);   // keys cached
    idp.down(true);
    try {
      assertThat(requestToken(idp.token(user).sign(), null).statusCode()).isEqualTo(200);
      // A key the provider rotated in while it was unreachable cannot be known: refused, not an outage.
      assertThat(requestToken(idp.token(user).signedWith(TestJwks.rsaKey("rotated-while-down")).sign(), null)
          .statusCode()).isEqualTo(401);
    } finally {
      idp.down(false);
    }
    double before = outcomes(gateway, "provider_unavailable");
    String token = unreachable.token(newUser()).sign();
    HttpResponse<Buffer> response = requestToken(token, null);
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(errorCode(response)).isEqualTo("IdentityProviderUnavailable");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("'down'");
    assertThat(response.getHeader("Retry-After")).isNotNull();
    assertThat(outcomes(gateway, "provider_unavailable")).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("The identity API's customId maps to the same identity: idempotent (201 then 200), shared with OIDC users, new after delete")
  void customIdOnIdentityApi() throws Exception {
    String customId = "crm-" + UUID.randomUUID();
    HttpResponse<Buffer> created = createIdentity(new JsonObject().put("customId", customId)
        .put("createTokenWithScopes", new JsonArray().add("voip")));
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getJsonObject("identity").getString("id");
    assertThat(created.bodyAsJsonObject().getJsonObject("identity").getString("customId")).isEqualTo(customId);
    assertThat(created.bodyAsJsonObject().getJsonObject("accessToken").getString("token")).isNotBlank();
    HttpResponse<Buffer> again = createIdentity(new JsonObject().put("customId", customId));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getJsonObject("identity").getString("id")).isEqualTo(id);
    HttpResponse<Buffer> external = createIdentity(new JsonObject().put("externalId", customId));
    assertThat(external.bodyAsJsonObject().getJsonObject("identity").getString("id")).isEqualTo(id);
    assertThat(external.bodyAsJsonObject().getJsonObject("identity").getString("externalId")).isEqualTo(customId);

    // An OIDC user's identity is the customId oidc|<issuer>|<subject>: a backend can look it up on the identity API.
    String user = newUser();
    String viaToken = identityOf(requestToken(idp.token(user).sign(), null));
    HttpResponse<Buffer> lookedUp = createIdentity(new JsonObject().put("customId", "oidc|" + idp.issuer() + "|" + user));
    assertThat(lookedUp.statusCode()).isEqualTo(200);
    assertThat(lookedUp.bodyAsJsonObject().getJsonObject("identity").getString("id")).isEqualTo(viaToken);

    assertThat(signed("DELETE", "/identities/" + id + "?api-version=2022-10-01", new byte[0]).statusCode())
        .isEqualTo(204);
    HttpResponse<Buffer> afterDelete = createIdentity(new JsonObject().put("customId", customId));
    assertThat(afterDelete.statusCode()).isEqualTo(201);
    assertThat(afterDelete.bodyAsJsonObject().getJsonObject("identity").getString("id")).isNotEqualTo(id);

    assertThat(createIdentity(new JsonObject().put("customId", "")).statusCode()).isEqualTo(400);
    assertThat(createIdentity(new JsonObject().put("customId", 42)).statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("20 concurrent identity API creates with one customId make one identity")
  void concurrentCustomIdCreates() throws Exception {
    String customId = "crm-" + UUID.randomUUID();
    byte[] body = new JsonObject().put("customId", customId).encode().getBytes(StandardCharsets.UTF_8);
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    WebClient wide = wideClient();
    for (int i = 0; i < 20; i++) {
      calls.add(signedRequest(wide, "POST", "/identities?api-version=2025-06-30", body));
    }
    Future.all(calls).await(20, TimeUnit.SECONDS);
    wide.close();
    Set<String> ids = new HashSet<>();
    int created = 0;
    for (Future<HttpResponse<Buffer>> call : calls) {
      ids.add(call.result().bodyAsJsonObject().getJsonObject("identity").getString("id"));
      created += call.result().statusCode() == 201 ? 1 : 0;
    }
    assertThat(ids).hasSize(1);
    assertThat(created).isEqualTo(1);
  }

  static HttpResponse<Buffer> createIdentity(JsonObject body) throws Exception {
    return signed("POST", "/identities?api-version=2025-06-30", body.encode().getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<Buffer> signed(String method, String uri, byte[] body) throws Exception {
    return signedRequest(method, uri, body).await(10, TimeUnit.SECONDS);
  }

  static Future<HttpResponse<Buffer>> signedRequest(String method, String uri, byte[] body) {
    return signedRequest(client, method, uri, body);
  }

  static Future<HttpResponse<Buffer>> signedRequest(WebClient web, String method, String uri, byte[] body) {
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(ACCESS_KEY, Clock.systemUTC())
        .sign(method, uri, "localhost", AcsHmac.contentHash(body), Instant.now());
    HttpRequest<Buffer> request = web.request(io.vertx.core.http.HttpMethod.valueOf(method), uri);
    h.asMap().forEach(request::putHeader);
    return request.sendBuffer(Buffer.buffer(body));
  }

  @Test
  @DisplayName("Rate limits: beyond the per-user limit 429 with Retry-After; beyond the per-IP limit too, before any token check")
  void rateLimits() throws Exception {
    try (TestGateway limited = TestGateway.start(config(new JsonObject().put("rateLimits", new JsonObject()
        .put("perUser", new JsonObject().put("limit", 2).put("window", "1m"))
        .put("perIp", new JsonObject().put("limit", 5).put("window", "1m")))))) {
      WebClient web = limited.webClient(vertx);
      String alice = idp.token(newUser()).sign();
      assertThat(requestToken(web, alice, null).statusCode()).isEqualTo(200);
      assertThat(requestToken(web, alice, null).statusCode()).isEqualTo(200);
      HttpResponse<Buffer> third = requestToken(web, alice, null);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(errorCode(third)).isEqualTo("TooManyRequests");
      assertThat(Long.parseLong(third.getHeader("Retry-After"))).isBetween(1L, 60L);
      assertThat(requestToken(web, idp.token(newUser()).sign(), null).statusCode()).isEqualTo(200);
      assertThat(requestToken(web, "not-even-a-token", null).statusCode()).isEqualTo(401);
      HttpResponse<Buffer> sixth = requestToken(web, "not-even-a-token", null);
      assertThat(sixth.statusCode()).isEqualTo(429);
      assertThat(outcomes(limited, "rate_limited_user")).isEqualTo(1);
      assertThat(outcomes(limited, "rate_limited_ip")).isEqualTo(1);
      assertThat(registry(limited).get("tonegate.ratelimit.rejections").tag("scope", "apptoken-user").counter()
          .count()).isEqualTo(1);
      web.close();
    }
  }

  @Test
  @DisplayName("Every outcome is exported from the start, and the route is absent when appToken is disabled")
  void metricsAndDisabled() throws Exception {
    String scrape = client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    for (AppTokenOutcome outcome : AppTokenOutcome.values()) {
      assertThat(scrape).contains("tonegate_apptoken_requests_total{outcome=\"" + outcome.tag() + "\"}");
    }
    assertThat(scrape).contains("tonegate_apptoken_request_latency_seconds_bucket");
    try (TestGateway off = TestGateway.start(new JsonObject())) {
      WebClient web = off.webClient(vertx);
      assertThat(requestToken(web, idp.token(newUser()).sign(), null).statusCode()).isEqualTo(404);
      web.close();
    }
  }
}
