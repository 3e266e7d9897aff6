package io.tonegate.identity;

import io.tonegate.testing.HostileHttp;
import io.tonegate.testing.HostileInputs;
import io.tonegate.testing.LogCapture;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The identity API under generated hostile bodies: signed with the real access key, so they get past HMAC
 * authentication to the API's own parsing and validation; and unsigned, so the authentication layer sees them.
 */
@DisplayName("identity API under hostile input")
class IdentityHostileInputTest {

  private static final AcsAccessKey KEY = AcsAccessKey.generate(new SecureRandom());
  private static final String VERSION = "?api-version=2022-10-01";
  private static final int IDENTITY_MAX_BODY = 4096;

  private static TestGateway gateway;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(new JsonObject().put("accessKey", KEY.toBase64()));
    vertx = Vertx.vertx();
    client = gateway.webClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  /** Signs each hostile body exactly as the SDK signs a request, so the API itself has to deal with it. */
  private static HostileHttp.Authenticator signed(HttpMethod method, String uri) {
    return (request, body) -> new AcsHmacSigner(KEY, Clock.systemUTC())
        .sign(method.name(), uri, "localhost", AcsHmac.contentHash(body), Instant.now())
        .asMap().forEach(request::putHeader);
  }

  @Test
  @DisplayName("signed hostile bodies on create, issue and revoke: 4xx in ACS's error shape for every invalid one, never 5xx, no error logged")
  void signedBodies() throws Exception {
    String id = client.post("/identities" + VERSION).putHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
            .addAll(signedHeaders(HttpMethod.POST, "/identities" + VERSION, new byte[0])))
        .send().await(10, TimeUnit.SECONDS).bodyAsJsonObject().getJsonObject("identity").getString("id");
    HostileInputs inputs = HostileInputs.fromSystemProperty();
    JsonObject create = new JsonObject().put("createTokenWithScopes", new JsonArray().add("chat").add("voip"))
        .put("expiresInMinutes", 60);
    JsonObject issue = new JsonObject().put("scopes", new JsonArray().add("voip")).put("expiresInMinutes", 1440);
    List<Target> targets = List.of(
        new Target("/identities" + VERSION, create),
        new Target("/identities/" + id + "/:issueAccessToken" + VERSION, issue),
        new Target("/identities/" + id + "/:revokeAccessTokens" + VERSION, null));
    try (LogCapture log = new LogCapture()) {
      for (Target target : targets) {
        // :revokeAccessTokens takes no body (as in ACS): anything signed is accepted, but never over the limit
        List<HostileInputs.Case> cases = target.example() == null
            ? HostileInputs.bodyIgnored(inputs.jsonCases(new JsonObject(), 150, IDENTITY_MAX_BODY))
            : inputs.jsonCases(target.example(), 150, IDENTITY_MAX_BODY);
        HostileHttp.Report report = HostileHttp.send(client, HttpMethod.POST, target.uri(), cases,
            signed(HttpMethod.POST, target.uri()));
        System.out.println("[hostile] signed " + report.summary());
        report.assertClean(inputs.seed());
      }
      assertThat(log.errors()).as("errors logged for client input").isEmpty();
    }
  }

  @Test
  @DisplayName("unsigned hostile bodies are refused by authentication (401) before anything parses them")
  void unsignedBodies() {
    HostileInputs inputs = HostileInputs.fromSystemProperty();
    List<HostileInputs.Case> cases = inputs.jsonCases(new JsonObject().put("createTokenWithScopes",
        new JsonArray().add("voip")), 80, IDENTITY_MAX_BODY);
    HostileHttp.Report report = HostileHttp.send(client, HttpMethod.POST, "/identities" + VERSION, cases,
        HostileHttp.Authenticator.NONE).assertClean(inputs.seed());
    System.out.println("[hostile] unsigned " + report.summary());
    // 413 for the bodies over the limit (refused before the signature is even computed), 401 for all others
    assertThat(report.outcomes()).allSatisfy(o -> assertThat(o.status()).isIn(401, 413));
  }

  @Test
  @DisplayName("hostile identity ids in the path (signed): 4xx, never 5xx")
  void hostileIds() throws Exception {
    List<String> ids = List.of("x", "8:acs:", "8:acs:" + "a".repeat(2000), "..", "%2e%2e", "%00", "8%3Aacs%3A%7B%7D",
        "{tag}", "*", "8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000000");
    try (LogCapture log = new LogCapture()) {
      for (String id : ids) {
        for (String action : List.of("", "/:issueAccessToken", "/:revokeAccessTokens")) {
          HttpMethod method = action.isEmpty() ? HttpMethod.DELETE : HttpMethod.POST;
          String uri = "/identities/" + id + action + VERSION;
          byte[] body = action.equals("/:issueAccessToken") ? "{\"scopes\":[\"voip\"]}".getBytes() : new byte[0];
          int status = client.request(method, uri).putHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                  .addAll(signedHeaders(method, uri, body))).timeout(HostileHttp.DEADLINE_MS)
              .sendBuffer(Buffer.buffer(body)).await(20, TimeUnit.SECONDS).statusCode();
          assertThat(status).as("%s %s", method, uri).isBetween(200, 499);
        }
      }
      assertThat(log.errors()).as("errors logged for client input").isEmpty();
    }
  }

  private static java.util.Map<String, String> signedHeaders(HttpMethod method, String uri, byte[] body) {
    return new AcsHmacSigner(KEY, Clock.systemUTC())
        .sign(method.name(), uri, "localhost", AcsHmac.contentHash(body), Instant.now()).asMap();
  }

  private record Target(String uri, JsonObject example) {
  }
}
