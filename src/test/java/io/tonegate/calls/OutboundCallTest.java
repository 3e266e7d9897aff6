package io.tonegate.calls;

import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.EmulatedCall;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.tonegate.session.SessionModule;
import io.tonegate.session.SessionStore;
import io.tonegate.session.StoredSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("POST /api/call places a call with media streaming and registers it")
class OutboundCallTest {

  private static final String ISSUER = "https://idp.example.test";
  private static final String AUDIENCE = "tonegate-api";
  private static CallsTestbed bed;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    // The emulator's JWKS doubles as the OIDC provider's key set: the tokens differ by iss/aud.
    bed = CallsTestbed.startWith(acs -> new JsonObject().put("api", new JsonObject()
        .put("issuer", ISSUER).put("audiences", new JsonArray().add(AUDIENCE)).put("jwksUrl", acs.jwksUrl())
        .put("sourceCallerIdNumber", "+18005550100").put("ratePerMinute", 100)));
    client = bed.gateway.webClient(bed.vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    bed.close();
  }

  private static String token(String audience) {
    long now = Instant.now().getEpochSecond();
    return bed.acs.mintToken(new JsonObject().put("iss", ISSUER).put("aud", audience).put("sub", "app-1")
        .put("iat", now).put("exp", now + 300));
  }

  private static HttpResponse<Buffer> call(String authorization, Object body) throws Exception {
    var request = client.post("/api/call");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    Future<HttpResponse<Buffer>> sent = body instanceof JsonObject json ? request.sendJsonObject(json)
        : request.sendBuffer(Buffer.buffer(String.valueOf(body)));
    return sent.await(20, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a valid token and target: 201 with the call connection id, a record in the api flow, and acs:<id>")
  void placesCall() throws Exception {
    HttpResponse<Buffer> response = call("Bearer " + token(AUDIENCE), new JsonObject().put("target", "+14255550160"));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    String id = response.bodyAsJsonObject().getString("callConnectionId");
    assertThat(id).isNotBlank();

    AcsEmulator.RecordedRequest create = bed.acs.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/calling/callConnections")
            && r.body().getJsonArray("targets").getJsonObject(0).containsKey("phoneNumber"))
        .findFirst().orElseThrow();
    assertThat(create.signatureValid()).isTrue();
    assertThat(create.body().getJsonArray("targets").getJsonObject(0).getJsonObject("phoneNumber").getString("value"))
        .isEqualTo("+14255550160");
    assertThat(create.body().getJsonObject("sourceCallerIdNumber").getString("value")).isEqualTo("+18005550100");
    assertThat(create.body().getJsonObject("mediaStreamingOptions").getString("transportUrl")).endsWith("/ws/media");

    CallRecord record = bed.record(id).orElseThrow();
    assertThat(record.flow()).isEqualTo(CallFlow.API);
    assertThat(record.callerRawId()).isEqualTo("4:+14255550160");
    SessionStore sessions = bed.gateway.gateway().module(SessionModule.class).orElseThrow().store();
    StoredSession key = sessions.get(sessions.id(sessions.rules().acs(id))).await(5, TimeUnit.SECONDS).orElseThrow();
    assertThat(key.value().getString("target")).isEqualTo("4:+14255550160");
    EmulatedCall call = bed.acs.call(id).orElseThrow();
    CallsTestbed.eventually("connected and DTMF recognition started for the callee", call::continuousDtmf);
  }

  @Test
  @DisplayName("no token, a token for another audience, or a malformed target are refused and place no call")
  void refusals() throws Exception {
    long creates = creates();
    assertThat(call(null, new JsonObject().put("target", "+14255550161")).statusCode()).isEqualTo(401);
    assertThat(call("Bearer " + token("someone-else"), new JsonObject().put("target", "+14255550161")).statusCode())
        .isEqualTo(401);
    String good = "Bearer " + token(AUDIENCE);
    for (Object body : new Object[] {"not json", new JsonObject(), new JsonObject().put("target", 5),
        new JsonObject().put("target", "4:12345"), new JsonObject().put("target", "8:orgid:teams-user")}) {
      assertThat(call(good, body).statusCode()).as(String.valueOf(body)).isEqualTo(400);
    }
    assertThat(creates()).isEqualTo(creates);
  }

  @Test
  @DisplayName("ACS down: 503 with Retry-After, and no record is left behind")
  void acsDown() throws Exception {
    bed.acs.failNext(new AcsEmulator.Fault(503, Optional.empty()), new AcsEmulator.Fault(503, Optional.empty()),
        new AcsEmulator.Fault(503, Optional.empty()));
    HttpResponse<Buffer> response = call("Bearer " + token(AUDIENCE), new JsonObject().put("target", "8:acs:r_x"));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.getHeader("Retry-After")).isEqualTo("5");
    CallsTestbed.eventually("the circuit recovers for the other tests",
        () -> bed.control().automation().circuitState() != CircuitBreaker.State.OPEN);
  }

  @Test
  @DisplayName("more than calls.api.ratePerMinute requests from one address get 429 with Retry-After, before auth")
  void rateLimited() throws Exception {
    int status = 0;
    for (int i = 0; i < 101 && status != 429; i++) {
      HttpResponse<Buffer> response = call(null, new JsonObject().put("target", "+14255550162"));
      status = response.statusCode();
      if (status == 429) {
        assertThat(response.getHeader("Retry-After")).isNotBlank();
      }
    }
    assertThat(status).isEqualTo(429);
  }

  private static long creates() {
    return bed.acs.requests().stream().filter(r -> r.path().equals("/calling/callConnections")).count();
  }
}
