package io.tonegate.presence;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Presence test support: gateways with the standard module table on a per-test-class key prefix and one shared
 * access key, real identities and tokens from the identity API, and ACS HMAC signing for service requests.
 */
final class PresenceTesting {

  static final String ACCESS_KEY = AcsAccessKey.generate(new SecureRandom()).toBase64();
  static final String API_VERSION = "2023-10-01";

  private PresenceTesting() {
  }

  /** A fresh key prefix, so test classes sharing the test Redis never see each other's users or lease. */
  static String newPrefix() {
    return "p" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** A gateway on {@code prefix} with {@code presence} overrides; every instance on a prefix issues the same tokens. */
  static TestGateway gateway(String prefix, JsonObject presence) {
    return TestGateway.start(new JsonObject()
        .put("accessKey", ACCESS_KEY)
        .put("identity", new JsonObject().put("issuer", "https://tonegate.test/"))
        .put("redis", new JsonObject().put("keyPrefix", prefix))
        .put("presence", presence));
  }

  static PresenceModule module(TestGateway gateway) {
    return gateway.gateway().module(PresenceModule.class).orElseThrow();
  }

  /** Signs {@code request} (already pointed at its path) with the access key, as an ACS SDK would. */
  static HttpRequest<Buffer> signed(HttpRequest<Buffer> request, String method, String pathAndQuery, String body,
                                    TestGateway gateway) {
    AcsHmacSigner signer = new AcsHmacSigner(AcsAccessKey.fromBase64(ACCESS_KEY), Clock.systemUTC());
    signer.sign(method, pathAndQuery, "localhost:" + gateway.port(), body.getBytes(StandardCharsets.UTF_8))
        .asMap().forEach(request::putHeader);
    return request;
  }

  /** An identity and its token with {@code scopes}, through the identity API. */
  record Identity(String id, String token) {
  }

  static Identity newIdentity(Vertx vertx, TestGateway gateway, TokenScope... scopes) throws Exception {
    WebClient http = gateway.webClient(vertx);
    try {
      String path = "/identities?api-version=" + API_VERSION;
      JsonArray wire = new JsonArray(Arrays.stream(scopes).map(TokenScope::wireName).toList());
      String body = new JsonObject().put("createTokenWithScopes", wire).encode();
      HttpResponse<Buffer> response = signed(http.post(path), "POST", path, body, gateway)
          .sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
      if (response.statusCode() != 201) {
        throw new AssertionError("identity creation failed: " + response.statusCode() + " " + response.bodyAsString());
      }
      JsonObject json = response.bodyAsJsonObject();
      return new Identity(json.getJsonObject("identity").getString("id"),
          json.getJsonObject("accessToken").getString("token"));
    } finally {
      http.close();
    }
  }

  /** Revokes every token of {@code identity} issued so far, through the identity API. */
  static void revoke(Vertx vertx, TestGateway gateway, String identity) throws Exception {
    WebClient http = gateway.webClient(vertx);
    try {
      String path = "/identities/" + identity + "/:revokeAccessTokens?api-version=" + API_VERSION;
      HttpResponse<Buffer> response = signed(http.post(path), "POST", path, "", gateway).send()
          .await(10, TimeUnit.SECONDS);
      if (response.statusCode() != 204) {
        throw new AssertionError("revocation failed: " + response.statusCode() + " " + response.bodyAsString());
      }
    } finally {
      http.close();
    }
  }
}
