package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.models.CommunicationTokenScope;
import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.testing.MutableClock;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Several gateways (or key stores) sharing one Redis: tokens, revocation and key rotation agree everywhere. */
class IdentityAcrossInstancesTest {

  static final String KEY = AcsAccessKey.generate(new SecureRandom()).toBase64();

  static TokenRejection rejection(TokenAuthenticator tokens, String jwt, TokenScope scope) {
    try {
      tokens.authenticate(jwt, scope).await(10, TimeUnit.SECONDS);
      throw new AssertionError("token was accepted");
    } catch (TokenRejectedException e) {
      return e.reason();
    } catch (Exception e) {
      throw new AssertionError("unexpected failure", e);
    }
  }

  @Test
  @DisplayName("A token minted by one gateway verifies on another, and a revocation on one is honoured by the other")
  void twoGateways() throws Exception {
    String prefix = "x" + UUID.randomUUID().toString().substring(0, 8) + ":";
    // Behind one load balancer the instances share publicUrl, hence the token issuer; here they differ by port.
    JsonObject config = new JsonObject().put("accessKey", KEY).put("redis", new JsonObject().put("keyPrefix", prefix))
        .put("identity", new JsonObject().put("issuer", "https://tonegate.test/"));
    try (TestGateway a = TestGateway.start(config); TestGateway b = TestGateway.start(config)) {
      CommunicationIdentityClient sdkA = AcsSdkClients.identityClient(a, KEY);
      CommunicationIdentityClient sdkB = AcsSdkClients.identityClient(b, KEY);
      TokenAuthenticator onB = b.gateway().module(IdentityModule.class).orElseThrow().tokenAuthenticator();

      CommunicationUserIdentifier user = sdkA.createUser();
      String token = sdkA.getToken(user, List.of(CommunicationTokenScope.fromString("media"))).getToken();
      assertThat(onB.authenticate(token, TokenScope.MEDIA).await(10, TimeUnit.SECONDS).identityId())
          .isEqualTo(user.getId());

      sdkA.revokeTokens(user);
      assertThat(rejection(onB, token, TokenScope.MEDIA)).isEqualTo(TokenRejection.REVOKED);
      String fresh = sdkB.getToken(user, List.of(CommunicationTokenScope.fromString("media"))).getToken();
      TokenAuthenticator onA = a.gateway().module(IdentityModule.class).orElseThrow().tokenAuthenticator();
      assertThat(onA.authenticate(fresh, TokenScope.MEDIA).await(10, TimeUnit.SECONDS).identityId())
          .isEqualTo(user.getId());
      assertThat(rejection(onA, fresh, TokenScope.PRESENCE_READ)).isEqualTo(TokenRejection.MISSING_SCOPE);
    }
  }

  @Test
  @DisplayName("Key stores on one Redis share one key; rotation due on both at once yields exactly one new key")
  void sharedRotation() throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis redis = TestRedis.client(vertx); // this run's topology
    try {
      String prefix = "rot" + UUID.randomUUID().toString().substring(0, 8) + ":";
      MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
      Duration publication = Duration.ofHours(25);
      SigningKeyStore one = new SigningKeyStore(vertx, redis, prefix, JwtAlgorithm.ES256, Duration.ofDays(7),
          publication, clock);
      SigningKeyStore two = new SigningKeyStore(vertx, redis, prefix, JwtAlgorithm.ES256, Duration.ofDays(7),
          publication, clock);

      SigningKeyRing first = one.load().await(10, TimeUnit.SECONDS);
      assertThat(two.load().await(10, TimeUnit.SECONDS).current().kid()).isEqualTo(first.current().kid());

      clock.advance(Duration.ofDays(8));
      List<SigningKeyRing> rotated = Future.all(one.load(), two.load()).await(10, TimeUnit.SECONDS).list();
      SigningKeyRing r1 = rotated.get(0);
      SigningKeyRing r2 = rotated.get(1);
      assertThat(r1.current().kid()).isNotEqualTo(first.current().kid()).isEqualTo(r2.current().kid());
      assertThat(r1.retired()).extracting(k -> k.key().kid()).containsExactly(first.current().kid());
      assertThat(r2.retired()).extracting(k -> k.key().kid()).containsExactly(first.current().kid());

      clock.advance(publication.plusMinutes(1));   // the old key's tokens have all expired
      SigningKeyRing pruned = one.load().await(10, TimeUnit.SECONDS);
      assertThat(pruned.published()).extracting(SigningKey::kid).containsExactly(r1.current().kid());
      long fields = redis.send(Request.cmd(Command.HLEN).arg(prefix + "identity:signing-keys"))
          .await(10, TimeUnit.SECONDS).toLong();
      assertThat(fields).as("current + one key entry left in Redis").isEqualTo(2);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("With Redis down, token checks fail closed and the identity API answers 503; both recover with Redis")
  void redisDown() throws Exception {
    EmbeddedRedis dedicated = TestRedis.startDedicated();
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("accessKey", KEY)
        .put("redis", new JsonObject().put("url", dedicated.url())))) {
      CommunicationIdentityClient sdk = AcsSdkClients.identityClient(gateway, KEY);
      TokenAuthenticator tokens = gateway.gateway().module(IdentityModule.class).orElseThrow().tokenAuthenticator();
      CommunicationUserIdentifier user = sdk.createUser();
      String token = sdk.getToken(user, List.of(CommunicationTokenScope.fromString("media"))).getToken();

      dedicated.stop();
      assertThat(rejection(tokens, token, TokenScope.MEDIA)).isEqualTo(TokenRejection.REVOCATION_UNAVAILABLE);
      try {
        sdk.createUser();
        throw new AssertionError("created an identity without Redis");
      } catch (com.azure.core.exception.HttpResponseException e) {
        assertThat(e.getResponse().getStatusCode()).isEqualTo(503);
      }

      dedicated.restart();
      Instant deadline = Instant.now().plusSeconds(20);
      while (true) {
        try {
          assertThat(tokens.authenticate(token, TokenScope.MEDIA).await(5, TimeUnit.SECONDS).identityId())
              .isEqualTo(user.getId());
          break;
        } catch (TokenRejectedException e) {
          if (Instant.now().isAfter(deadline)) {
            throw e;
          }
          Thread.sleep(200);   // the Redis client reconnects by itself
        }
      }
    } finally {
      dedicated.stop();
    }
  }
}
