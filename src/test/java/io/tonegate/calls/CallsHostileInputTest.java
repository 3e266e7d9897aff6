package io.tonegate.calls;

import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.tonegate.testing.HostileHttp;
import io.tonegate.testing.HostileInputs;
import io.tonegate.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Event Grid webhook and the Call Automation callbacks under generated hostile bodies (with valid credentials, so
 * the parsers see them) and hostile bearer tokens. Built on {@link CallsTestbed} (a real gateway and ACS emulator).
 */
@DisplayName("calls webhooks under hostile input")
class CallsHostileInputTest {

  private static final int MAX_BODY = 65_536;

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

  private static String eventsUri() {
    return "/api/events?code=" + URLEncoder.encode(CallsTestbed.EVENT_GRID_SECRET, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("Event Grid deliveries (EventGridEvent and CloudEvents schema) with the secret: every invalid body 4xx, never 5xx, no error logged")
  void eventGrid() {
    HostileInputs inputs = HostileInputs.fromSystemProperty();
    JsonObject incoming = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550199", "+14255550198"));
    try (LogCapture log = new LogCapture()) {
      HostileHttp.Report events = HostileHttp.send(client, HttpMethod.POST, eventsUri(),
          inputs.jsonCases(new JsonArray().add(incoming), 200, MAX_BODY),
          (request, body) -> request.putHeader("aeg-event-type", "Notification"));
      System.out.println("[hostile] " + events.summary());
      events.assertClean(inputs.seed());

      HostileHttp.Report cloud = HostileHttp.send(client, HttpMethod.POST, eventsUri(),
          inputs.jsonCases(AcsEmulator.toCloudEvent(incoming), 150, MAX_BODY),
          (request, body) -> request.putHeader("content-type", "application/cloudevents+json; charset=utf-8")
              .putHeader("Origin", "eventgrid.azure.net"));
      System.out.println("[hostile] cloudevents " + cloud.summary());
      cloud.assertClean(inputs.seed());
      assertThat(log.errors()).as("errors logged for client input").isEmpty();
    }
  }

  @Test
  @DisplayName("callbacks with a valid ACS token: every invalid body 4xx, never 5xx, no error logged")
  void callbacks() {
    HostileInputs inputs = HostileInputs.fromSystemProperty();
    String id = UUID.randomUUID().toString();
    JsonArray example = new JsonArray().add(new JsonObject()
        .put("id", UUID.randomUUID().toString()).put("source", "calling/callConnections/" + id)
        .put("type", "Microsoft.Communication.ContinuousDtmfRecognitionToneReceived").put("specversion", "1.0")
        .put("time", "2025-01-01T00:00:00Z").put("datacontenttype", "application/json")
        .put("data", new JsonObject().put("callConnectionId", id).put("serverCallId", "s").put("correlationId", "c")
            .put("sequenceId", 1).put("tone", "five")
            .put("resultInformation", new JsonObject().put("code", 200).put("subCode", 0).put("message", "ok"))));
    try (LogCapture log = new LogCapture()) {
      HostileHttp.Report report = HostileHttp.send(client, HttpMethod.POST, "/api/callbacks",
          inputs.jsonCases(example, 200, MAX_BODY),
          (request, body) -> request.putHeader("Authorization",
              "Bearer " + bed.acs.mintToken(AcsEmulator.CALLBACK_TOKEN_LIFETIME)));
      System.out.println("[hostile] " + report.summary());
      report.assertClean(inputs.seed());
      assertThat(log.errors()).as("errors logged for client input").isEmpty();
    }
  }

  @Test
  @DisplayName("hostile bearer tokens on callbacks (alg none, HS256 over the same claims, altered bytes, wrong segments, 20 KB): all 401")
  void hostileTokens() throws Exception {
    HostileInputs inputs = HostileInputs.fromSystemProperty();
    String valid = bed.acs.mintToken(AcsEmulator.CALLBACK_TOKEN_LIFETIME);
    Buffer body = new JsonArray().add(new JsonObject().put("id", "1").put("source", "calling/callConnections/x")
        .put("type", "Microsoft.Communication.CallDisconnected").put("specversion", "1.0")
        .put("data", new JsonObject().put("callConnectionId", "x"))).toBuffer();
    List<String> tokens = inputs.hostileBearerTokens(valid, 80);
    try (LogCapture log = new LogCapture()) {
      for (String token : tokens) {
        var request = client.post("/api/callbacks").timeout(HostileHttp.DEADLINE_MS)
            .putHeader("content-type", "application/json");
        if (!token.isEmpty()) {
          request.putHeader("Authorization", token);
        }
        int status = request.sendBuffer(body).await(20, TimeUnit.SECONDS).statusCode();
        // 431 for the 20 KB token: over the server's header limit, refused before any parsing
        assertThat(status).as("Authorization: %s", token.length() > 80 ? token.substring(0, 80) + "..." : token)
            .isIn(401, 431);
      }
      assertThat(log.errors()).as("errors logged for client input").isEmpty();
    }
    // and the valid token still works: the refusals above were about the tokens, not a broken endpoint
    int ok = client.post("/api/callbacks").putHeader("Authorization", "Bearer " + valid)
        .putHeader("content-type", "application/json").sendBuffer(body).await(20, TimeUnit.SECONDS).statusCode();
    assertThat(ok).isLessThan(300);
  }
}
