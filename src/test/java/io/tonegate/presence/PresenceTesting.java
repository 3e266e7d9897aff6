package io.tonegate.presence;

import io.tonegate.gateway.HttpErrors;
import io.tonegate.identity.AccessTokenIssuer;
import io.tonegate.identity.AccessTokenVerifier;
import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.identity.AcsHmacVerifier;
import io.tonegate.identity.HmacRequest;
import io.tonegate.identity.HmacVerification;
import io.tonegate.identity.IdentityId;
import io.tonegate.identity.JwtAlgorithm;
import io.tonegate.identity.SigningKey;
import io.tonegate.identity.SigningKeyRing;
import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real tokens and real HMAC for presence tests, built from the identity capability's own classes (issuer, verifier,
 * HMAC signer and verifier), and gateways with the presence module on a per-test-class key prefix.
 */
final class PresenceTesting {

  static final String ISSUER = "https://tonegate.test";
  static final String AUDIENCE = "tonegate";
  static final SecureRandom RANDOM = new SecureRandom();
  static final SigningKeyRing RING = SigningKeyRing.of(SigningKey.generate(JwtAlgorithm.ES256, Instant.now(), RANDOM));
  static final AccessTokenIssuer TOKENS = new AccessTokenIssuer(ISSUER, AUDIENCE, () -> RING, Clock.systemUTC());
  static final AccessTokenVerifier VERIFIER = new AccessTokenVerifier(kid -> RING.find(kid), ISSUER, AUDIENCE,
      AccessTokenVerifier.DEFAULT_CLOCK_SKEW, Clock.systemUTC());
  static final AcsAccessKey SERVICE_KEY = AcsAccessKey.generate(RANDOM);
  static final Map<String, Instant> REVOKED = new ConcurrentHashMap<>();

  private PresenceTesting() {
  }

  static IdentityId newIdentity() {
    return IdentityId.generate("presence-test", RANDOM);
  }

  static String token(IdentityId identity, TokenScope... scopes) {
    return TOKENS.issue(identity, Set.of(scopes), Duration.ofHours(1)).token();
  }

  /** Revokes every token of {@code identity} issued up to now (as the identity API does). */
  static void revoke(IdentityId identity) {
    REVOKED.put(identity.rawId(), Instant.now().plusSeconds(1));
  }

  static PresenceAccess access() {
    AcsHmacVerifier hmac = new AcsHmacVerifier(List.of(SERVICE_KEY), Duration.ofMinutes(15), List.of(),
        Clock.systemUTC());
    Handler<RoutingContext> serviceAuth = rc -> {
      Buffer body = rc.body() == null ? null : rc.body().buffer();
      HmacVerification result = hmac.verify(new HmacRequest(rc.request().method().name(), rc.request().uri(),
          rc.request()::getHeader, body == null ? new byte[0] : body.getBytes()));
      if (result.ok()) {
        rc.next();
      } else {
        HttpErrors.send(rc, 401, "Denied", result.failure().message());
      }
    };
    return new TokenPresenceAccess((jwt, scope) -> Future.fromCompletionStage(VERIFIER.verify(jwt, scope,
        id -> CompletableFuture.completedFuture(Optional.ofNullable(REVOKED.get(id))))), serviceAuth);
  }

  /** A fresh key prefix, so test classes sharing the test Redis never see each other's users or lease. */
  static String newPrefix() {
    return "p" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** A gateway with presence, on {@code prefix}, with {@code presence} overrides. */
  static TestGateway gateway(String prefix, JsonObject presence) {
    return gateway(prefix, presence, access());
  }

  static TestGateway gateway(String prefix, JsonObject presence, PresenceAccess access) {
    JsonObject overrides = new JsonObject()
        .put("redis", new JsonObject().put("keyPrefix", prefix))
        .put("presence", presence);
    PresenceModule[] created = new PresenceModule[1];
    TestGateway gateway = TestGateway.start(overrides, ctx -> {
      created[0] = new PresenceModule(ctx, access);
      return List.of(created[0]);
    });
    MODULES.put(gateway, created[0]);
    return gateway;
  }

  private static final Map<TestGateway, PresenceModule> MODULES = new ConcurrentHashMap<>();

  static PresenceModule module(TestGateway gateway) {
    return MODULES.get(gateway);
  }

  /** Signs {@code request} (already pointed at its path) with the service key, as an ACS SDK would. */
  static HttpRequest<Buffer> signed(HttpRequest<Buffer> request, String method, String pathAndQuery, String body,
                                    TestGateway gateway) {
    AcsHmacSigner signer = new AcsHmacSigner(SERVICE_KEY, Clock.systemUTC());
    AcsHmacSigner.AcsHmacHeaders headers = signer.sign(method, pathAndQuery, "localhost:" + gateway.port(),
        body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    headers.asMap().forEach(request::putHeader);
    return request;
  }
}
