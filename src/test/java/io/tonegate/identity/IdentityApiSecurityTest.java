package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Raw HMAC-signed requests against the real gateway: every tampering is refused, with ACS's error body. */
@DisplayName("identity API authentication over real HTTPS")
class IdentityApiSecurityTest {

  static final AcsAccessKey PRIMARY = AcsAccessKey.generate(new SecureRandom());
  static final AcsAccessKey SECONDARY = AcsAccessKey.generate(new SecureRandom());
  static final String CREATE = "/identities?api-version=2022-10-01";
  static TestGateway gateway;
  static Vertx vertx;
  static WebClient client;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(new JsonObject().put("accessKey", PRIMARY.toBase64())
        .put("secondaryAccessKey", SECONDARY.toBase64()));
    vertx = Vertx.vertx();
    client = gateway.webClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  /** Sends {@code body} to {@code uri}, signed by {@code key} at {@code date}, with the signed body replaced by {@code sent}. */
  static HttpResponse<Buffer> send(HttpMethod method, String uri, AcsAccessKey key, Instant date, byte[] signedBody,
                                   byte[] sentBody) throws Exception {
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(key, Clock.systemUTC())
        .sign(method.name(), uri, "localhost", AcsHmac.contentHash(signedBody), date);
    HttpRequest<Buffer> request = client.request(method, uri);
    h.asMap().forEach(request::putHeader);
    return request.sendBuffer(Buffer.buffer(sentBody)).await(10, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> create(AcsAccessKey key, Instant date, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return send(HttpMethod.POST, CREATE, key, date, bytes, bytes);
  }

  static String errorCode(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  static double hmacFailures(String reason) throws Exception {
    String metrics = client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("tonegate_identity_hmac_failures_total{") && line.contains("reason=\"" + reason + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  @DisplayName("Requests signed with either configured key are accepted")
  void bothKeys() throws Exception {
    assertThat(create(PRIMARY, Instant.now(), "{}").statusCode()).isEqualTo(201);
    HttpResponse<Buffer> response = create(SECONDARY, Instant.now(), "{\"createTokenWithScopes\":[\"media\"]}");
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.bodyAsJsonObject().getJsonObject("accessToken").getString("expiresOn"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}\\+00:00");
  }

  @Test
  @DisplayName("A tampered signature is refused with 401 Denied and counted")
  void tamperedSignature() throws Exception {
    double before = hmacFailures("signature_mismatch");
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(PRIMARY, Clock.systemUTC())
        .sign("POST", CREATE, "localhost", AcsHmac.contentHash(new byte[0]), Instant.now());
    String auth = h.authorization();
    int at = auth.indexOf("Signature=") + "Signature=".length();
    byte[] signature = Base64.getDecoder().decode(auth.substring(at));
    signature[5] ^= 0x40;
    HttpResponse<Buffer> response = client.post(CREATE).putHeader("x-ms-date", h.date())
        .putHeader("x-ms-content-sha256", h.contentHash())
        .putHeader("Authorization", auth.substring(0, at) + Base64.getEncoder().encodeToString(signature))
        .send().await(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(errorCode(response)).isEqualTo("Denied");
    assertThat(hmacFailures("signature_mismatch")).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("A request without any authentication is refused with 401")
  void unauthenticated() throws Exception {
    HttpResponse<Buffer> response = client.post(CREATE).send().await(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(errorCode(response)).isEqualTo("Denied");
  }

  @Test
  @DisplayName("A stale x-ms-date (16 minutes old) and one from the future are refused")
  void staleDate() throws Exception {
    HttpResponse<Buffer> stale = create(PRIMARY, Instant.now().minus(Duration.ofMinutes(16)), "{}");
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(stale.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("x-ms-date");
    assertThat(create(PRIMARY, Instant.now().plus(Duration.ofMinutes(16)), "{}").statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("A request captured and replayed after the skew window is refused; inside it, ACS-like, it is accepted")
  void replay() throws Exception {
    // The capture: a request signed 14 minutes ago still verifies (the window is the replay bound)...
    assertThat(create(PRIMARY, Instant.now().minus(Duration.ofMinutes(14)), "{}").statusCode()).isEqualTo(201);
    // ...and the same request replayed two minutes later, now 16 minutes old, is refused.
    assertThat(create(PRIMARY, Instant.now().minus(Duration.ofMinutes(16)), "{}").statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("A body changed after signing is refused by the content-hash check")
  void bodyChanged() throws Exception {
    byte[] signed = "{\"createTokenWithScopes\":[\"chat\"]}".getBytes(StandardCharsets.UTF_8);
    byte[] sent = "{\"createTokenWithScopes\":[\"media\"]}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<Buffer> response = send(HttpMethod.POST, CREATE, PRIMARY, Instant.now(), signed, sent);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("x-ms-content-sha256");
  }

  @Test
  @DisplayName("Changing the path after signing (another identity) is refused")
  void pathChanged() throws Exception {
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(PRIMARY, Clock.systemUTC()).sign("POST",
        "/identities/8:acs:tonegate_a/:revokeAccessTokens?api-version=2022-10-01", "localhost",
        AcsHmac.EMPTY_BODY_CONTENT_HASH, Instant.now());
    HttpRequest<Buffer> request = client.post("/identities/8:acs:tonegate_b/:revokeAccessTokens?api-version=2022-10-01");
    h.asMap().forEach(request::putHeader);
    assertThat(request.send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("Oversize bodies are refused with 413: over the identity limit (4 KiB) and over the gateway limit")
  void oversize() throws Exception {
    String padding = "x".repeat(5000);
    double before = hmacFailures("body_too_large");
    HttpResponse<Buffer> response = create(PRIMARY, Instant.now(), "{\"pad\":\"" + padding + "\"}");
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(hmacFailures("body_too_large")).isEqualTo(before + 1);
    assertThat(create(PRIMARY, Instant.now(), "{\"pad\":\"" + "y".repeat(100_000) + "\"}").statusCode()).isEqualTo(413);
  }

  @Test
  @DisplayName("Malformed bodies and a missing api-version are 400s in ACS's error shape")
  void badInput() throws Exception {
    assertThat(create(PRIMARY, Instant.now(), "not json").statusCode()).isEqualTo(400);
    assertThat(create(PRIMARY, Instant.now(), "{\"createTokenWithScopes\":\"chat\"}").statusCode()).isEqualTo(400);
    assertThat(create(PRIMARY, Instant.now(), "{\"createTokenWithScopes\":[1]}").statusCode()).isEqualTo(400);
    assertThat(create(PRIMARY, Instant.now(), "{\"createTokenWithScopes\":[\"chat\"],\"expiresInMinutes\":60.5}")
        .statusCode()).isEqualTo(400);
    HttpResponse<Buffer> noVersion = send(HttpMethod.POST, "/identities", PRIMARY, Instant.now(), new byte[0], new byte[0]);
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(errorCode(noVersion)).isEqualTo("MissingApiVersionParameter");
  }

  @Test
  @DisplayName("Percent-encoded identity ids in the path work like raw ones")
  void encodedId() throws Exception {
    String id = create(PRIMARY, Instant.now(), "{}").bodyAsJsonObject().getJsonObject("identity").getString("id");
    String uri = "/identities/" + id.replace(":", "%3A") + "/:issueAccessToken?api-version=2022-10-01";
    byte[] body = "{\"scopes\":[\"voip\"]}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<Buffer> response = send(HttpMethod.POST, uri, PRIMARY, Instant.now(), body, body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("token")).isNotBlank();
  }

  @Test
  @DisplayName("JWKS and the discovery document are public, and the JWKS verifies the gateway's tokens offline")
  void publicKeys() throws Exception {
    String token = create(PRIMARY, Instant.now(), "{\"createTokenWithScopes\":[\"voip\"]}").bodyAsJsonObject()
        .getJsonObject("accessToken").getString("token");
    HttpResponse<Buffer> jwks = client.get("/.well-known/jwks.json").send().await(10, TimeUnit.SECONDS);
    assertThat(jwks.statusCode()).isEqualTo(200);
    JsonObject discovery = client.get("/.well-known/openid-configuration").send().await(10, TimeUnit.SECONDS)
        .bodyAsJsonObject();
    assertThat(discovery.getString("jwks_uri")).endsWith("/.well-known/jwks.json");
    String issuer = discovery.getString("issuer");

    AccessTokenVerifier offline = new AccessTokenVerifier(
        AccessTokenVerifier.resolver(Jwks.parse(jwks.bodyAsString())), issuer, "tonegate",
        AccessTokenVerifier.DEFAULT_CLOCK_SKEW, Clock.systemUTC());
    assertThat(offline.verify(token, TokenScope.VOIP).scopes()).containsExactly(TokenScope.VOIP);
  }

  @Test
  @DisplayName("Issuing, revoking and HMAC failures show up in /metrics under tonegate_identity_*")
  void metrics() throws Exception {
    create(PRIMARY, Instant.now(), "{\"createTokenWithScopes\":[\"chat\"]}");
    String text = client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertThat(text).contains("tonegate_identity_tokens_issued_total", "tonegate_identity_tokens_revoked_total",
        "tonegate_identity_hmac_failures_total{reason=\"date_out_of_window\"}",
        "tonegate_identity_request_latency_seconds_bucket");
    assertThat(List.of(text.split("\n"))).noneMatch(l -> l.contains("8:acs:"));
  }
}
