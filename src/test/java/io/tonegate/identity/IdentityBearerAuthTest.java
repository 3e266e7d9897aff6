package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tonegate.auth.JwkSet;
import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("identity API with Entra-style bearer tokens enabled")
class IdentityBearerAuthTest {

  static final String TENANT_ISSUER = "https://login.microsoftonline.com/tenant-1/v2.0";

  @Test
  @DisplayName("A bearer token from the configured issuer for the ACS audience is accepted; others get 401; HMAC still works")
  void bearer() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Path jwks = TestRedis.dataRoot().resolve("bearer-" + UUID.randomUUID() + ".json");
    Files.createDirectories(jwks.getParent());
    Files.writeString(jwks, new JsonObject().put("keys",
        new JsonArray().add(JwkSet.toJwk("entra-1", JwsAlgorithm.RS256, pair.getPublic()))).encode());
    String key = AcsAccessKey.generate(new SecureRandom()).toBase64();

    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("accessKey", key).put("identity",
        new JsonObject().put("bearer", new JsonObject().put("enabled", true).put("issuer", TENANT_ISSUER)
            .put("jwksFile", jwks.toString()))))) {
      WebClient client = gateway.webClient(vertx);
      long now = Instant.now().getEpochSecond();
      JsonObject claims = new JsonObject().put("iss", TENANT_ISSUER).put("aud", "https://communication.azure.com")
          .put("sub", "backend-app").put("iat", now).put("exp", now + 600);

      String good = JwtSigner.sign(JwsAlgorithm.RS256, "entra-1", pair.getPrivate(), claims);
      assertThat(client.post("/identities?api-version=2022-10-01").putHeader("Authorization", "Bearer " + good)
          .sendJsonObject(new JsonObject().put("createTokenWithScopes", new JsonArray().add("voip")))
          .await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(201);

      String wrongAudience = JwtSigner.sign(JwsAlgorithm.RS256, "entra-1", pair.getPrivate(),
          claims.copy().put("aud", "https://graph.microsoft.com"));
      String wrongIssuer = JwtSigner.sign(JwsAlgorithm.RS256, "entra-1", pair.getPrivate(),
          claims.copy().put("iss", "https://login.microsoftonline.com/other/v2.0"));
      for (String bad : new String[] {wrongAudience, wrongIssuer, good + "x", "garbage"}) {
        var response = client.post("/identities?api-version=2022-10-01").putHeader("Authorization", "Bearer " + bad)
            .send().await(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("Denied");
      }

      assertThat(AcsSdkClients.identityClient(gateway, key).createUser().getId()).startsWith("8:acs:");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
