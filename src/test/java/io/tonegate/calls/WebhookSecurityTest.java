package io.tonegate.calls;

import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.tonegate.simulator.acs.EmulatedCall;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Event Grid and callback webhooks: handshakes, authentication and malformed bodies")
class WebhookSecurityTest {

  private static CallsTestbed bed;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    bed = CallsTestbed.start();
    client = bed.gateway.webClient(bed.vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    bed.close();
  }

  private static HttpResponse<Buffer> await(io.vertx.core.Future<HttpResponse<Buffer>> f) throws Exception {
    return f.await(20, TimeUnit.SECONDS);
  }

  private static String eventsUri(String secret) {
    return "/api/events" + (secret == null ? "" : "?code=" + secret);
  }

  @Test
  @DisplayName("EventGridEvent schema: SubscriptionValidationEvent is answered 200 with the validation code")
  void eventGridValidation() throws Exception {
    HttpResponse<Buffer> response = await(bed.acs.deliverSubscriptionValidation("512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject()).isEqualTo(
        new JsonObject().put("validationResponse", "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));
  }

  @Test
  @DisplayName("CloudEvents schema: the OPTIONS handshake echoes the allowed origin")
  void cloudEventsHandshake() throws Exception {
    HttpResponse<Buffer> response = await(bed.acs.cloudEventsHandshake("eventgrid.azure.net"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("WebHook-Allowed-Origin")).isEqualTo("eventgrid.azure.net");
    assertThat(response.getHeader("WebHook-Allowed-Rate")).isEqualTo("*");
  }

  @Test
  @DisplayName("CloudEvents handshake from an origin not configured is 403; without the secret 401")
  void handshakeRefusals() throws Exception {
    assertThat(await(bed.acs.cloudEventsHandshake("evil.example.com")).statusCode()).isEqualTo(403);
    HttpResponse<Buffer> unauthenticated = await(client.request(HttpMethod.OPTIONS, eventsUri(null))
        .putHeader("WebHook-Request-Origin", "eventgrid.azure.net").send());
    assertThat(unauthenticated.statusCode()).isEqualTo(401);
    assertThat(unauthenticated.getHeader("WebHook-Allowed-Origin")).isNull();
  }

  @Test
  @DisplayName("a delivery without the secret, or with a wrong one, is 401 and nothing is answered")
  void unauthenticatedDelivery() throws Exception {
    JsonArray body = new JsonArray().add(bed.acs.incomingCallEvent(
        IncomingCallSpec.pstn("+14255550140", CallsTestbed.SERVED_NUMBER)));
    long answers = bed.answerRequests();
    for (String secret : new String[] {null, "wrong", CallsTestbed.EVENT_GRID_SECRET + "x", ""}) {
      HttpResponse<Buffer> response = await(client.post(eventsUri(secret)).sendBuffer(body.toBuffer()));
      assertThat(response.statusCode()).as("secret %s", secret).isEqualTo(401);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("Unauthorized");
    }
    HttpResponse<Buffer> bearer = await(client.post(eventsUri(null)).putHeader("Authorization", "Bearer abc.def.ghi")
        .sendBuffer(body.toBuffer()));
    assertThat(bearer.statusCode()).as("no Entra validator configured").isEqualTo(401);
    assertThat(bed.answerRequests()).isEqualTo(answers);
    assertThat(bed.counter("tonegate.calls.refused", "endpoint", "events")).isGreaterThanOrEqualTo(5);
  }

  @Test
  @DisplayName("malformed deliveries are 400 and nothing in them is acted on")
  void malformedDelivery() throws Exception {
    JsonObject good = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550141", CallsTestbed.SERVED_NUMBER));
    JsonObject badData = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550142", CallsTestbed.SERVED_NUMBER));
    badData.getJsonObject("data").remove("incomingCallContext");
    long answers = bed.answerRequests();
    String[] bodies = {
        "not json", "{}", "[]", "[1]", "{\"id\":\"x\",\"eventType\":\"y\"}",
        new JsonArray().add(new JsonObject().put("eventType", "Microsoft.Communication.IncomingCall")).encode(),
        new JsonArray().add(good).add(badData).encode(),
        new JsonArray().add(good).add(AcsEmulator.toCloudEvent(good).put("id", "other")).encode()
    };
    for (String body : bodies) {
      HttpResponse<Buffer> response = await(client.post(eventsUri(CallsTestbed.EVENT_GRID_SECRET))
          .sendBuffer(Buffer.buffer(body)));
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("BadRequest");
    }
    assertThat(bed.answerRequests()).isEqualTo(answers);
  }

  @Test
  @DisplayName("callbacks without a JWT, with a JWT from another key, for another audience or expired are 401")
  void callbackAuth() throws Exception {
    EmulatedCall call = answeredCall();
    String id = call.callConnectionId();
    JsonArray disconnect = new JsonArray().add(new JsonObject()
        .put("id", UUID.randomUUID().toString()).put("source", "calling/callConnections/" + id)
        .put("type", "Microsoft.Communication.CallDisconnected").put("specversion", "1.0")
        .put("data", new JsonObject().put("callConnectionId", id)));

    var other = KeyPairGenerator.getInstance("RSA");
    other.initialize(2048);
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("iss", AcsEmulator.ACS_ISSUER).put("aud", bed.acs.resourceId())
        .put("iat", now).put("exp", now + 300);
    String foreignKey = JwtSigner.sign(JwsAlgorithm.RS256, "foreign", other.generateKeyPair().getPrivate(), claims);

    String[] authorizations = {null, "Bearer ", "Bearer not-a-jwt", "Bearer " + foreignKey,
        "Basic dXNlcjpwYXNz"};
    for (String authorization : authorizations) {
      HttpResponse<Buffer> response = await(bed.acs.postCallbackBody(call.callbackUri(), disconnect, authorization));
      assertThat(response.statusCode()).as("Authorization %s", authorization).isEqualTo(401);
    }
    assertThat(bed.record(id)).as("nothing was acted on").isPresent();

    // A correctly signed token from the emulator's key, but for another resource, or expired.
    assertThat(await(bed.acs.postCallbackBody(call.callbackUri(), disconnect,
        "Bearer " + signedByEmulator(claims.copy().put("aud", "other-resource")))).statusCode()).isEqualTo(401);
    assertThat(await(bed.acs.postCallbackBody(call.callbackUri(), disconnect,
        "Bearer " + signedByEmulator(claims.copy().put("exp", now - 600).put("iat", now - 900)))).statusCode())
        .isEqualTo(401);
    assertThat(bed.record(id)).isPresent();

    HttpResponse<Buffer> valid = await(bed.acs.postCallbackBody(call.callbackUri(), disconnect,
        "Bearer " + bed.acs.mintToken(AcsEmulator.CALLBACK_TOKEN_LIFETIME)));
    assertThat(valid.statusCode()).isEqualTo(200);
    assertThat(bed.record(id)).isEmpty();
  }

  @Test
  @DisplayName("a callback body that is not CloudEvents with id, source, type and data.callConnectionId is 400")
  void malformedCallback() throws Exception {
    String auth = "Bearer " + bed.acs.mintToken(AcsEmulator.CALLBACK_TOKEN_LIFETIME);
    String uri = bed.gateway.baseUrl() + "/api/callbacks";
    JsonArray[] bodies = {
        new JsonArray(),
        new JsonArray().add(new JsonObject().put("type", "Microsoft.Communication.CallConnected")),
        new JsonArray().add(new JsonObject().put("id", "1").put("source", "s").put("type", "t")),
        new JsonArray().add(new JsonObject().put("id", "1").put("source", "s")
            .put("type", "Microsoft.Communication.ContinuousDtmfRecognitionToneReceived")
            .put("data", new JsonObject().put("callConnectionId", "c").put("tone", "eleven")))
    };
    for (JsonArray body : bodies) {
      assertThat(await(bed.acs.postCallbackBody(uri, body, auth)).statusCode()).as(body.encode()).isEqualTo(400);
    }
  }

  private static String signedByEmulator(JsonObject claims) {
    // The emulator only exposes minting with its standard claims; forge variations through its JWKS key id.
    return bed.acs.mintToken(claims);
  }

  private static EmulatedCall answeredCall() throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550143", CallsTestbed.SERVED_NUMBER));
    assertThat(await(bed.acs.deliverEvents(new JsonArray().add(event))).statusCode()).isEqualTo(200);
    String correlation = event.getJsonObject("data").getString("correlationId");
    CallsTestbed.eventually("answered", () -> bed.callByCorrelation(correlation).isPresent());
    EmulatedCall call = bed.callByCorrelation(correlation).orElseThrow();
    CallsTestbed.eventually("connected", () -> bed.record(call.callConnectionId())
        .map(r -> r.state() == CallState.CONNECTED).orElse(false));
    return call;
  }
}
