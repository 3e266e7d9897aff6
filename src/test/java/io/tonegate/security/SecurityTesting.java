package io.tonegate.security;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Security test support: the access key of the test gateways, real identities and tokens through the identity API. */
final class SecurityTesting {

  static final String ACCESS_KEY = AcsAccessKey.generate(new SecureRandom()).toBase64();
  static final String API_VERSION = "2023-10-01";

  private SecurityTesting() {
  }

  record Identity(String id, String token) {
  }

  /** Signs {@code request} with the access key, host as the Java SDK signs it (no port). */
  static HttpRequest<Buffer> signed(HttpRequest<Buffer> request, String method, String pathAndQuery, String body) {
    new AcsHmacSigner(AcsAccessKey.fromBase64(ACCESS_KEY), Clock.systemUTC())
        .sign(method, pathAndQuery, "localhost", body.getBytes(StandardCharsets.UTF_8))
        .asMap().forEach(request::putHeader);
    return request;
  }

  /** A new identity with a token of {@code scopes}, through the HMAC-signed identity API. */
  static Identity newIdentity(WebClient web, TestGateway gateway, String... scopes) throws Exception {
    String path = "/identities?api-version=" + API_VERSION;
    String body = new JsonObject().put("createTokenWithScopes", new JsonArray(List.of((Object[]) scopes))).encode();
    HttpResponse<Buffer> response = signed(web.post(path), "POST", path, body).sendBuffer(Buffer.buffer(body))
        .await(10, TimeUnit.SECONDS);
    if (response.statusCode() != 201) {
      throw new AssertionError("identity creation failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    JsonObject json = response.bodyAsJsonObject();
    return new Identity(json.getJsonObject("identity").getString("id"),
        json.getJsonObject("accessToken").getString("token"));
  }

  /** Revokes every token of {@code identity} issued so far. */
  static void revoke(WebClient web, TestGateway gateway, String identity) throws Exception {
    String path = "/identities/" + identity + "/:revokeAccessTokens?api-version=" + API_VERSION;
    HttpResponse<Buffer> response = signed(web.post(path), "POST", path, "").send().await(10, TimeUnit.SECONDS);
    if (response.statusCode() != 204) {
      throw new AssertionError("revocation failed: " + response.statusCode() + " " + response.bodyAsString());
    }
  }

  static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8);
  }
}
