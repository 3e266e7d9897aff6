package io.tonegate.calls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Event Grid deliveries authenticated with an Entra bearer JWT")
class EventGridEntraTest {

  private static final String ISSUER = "https://login.microsoftonline.com/tenant-1/v2.0";
  private static final String AUDIENCE = "api://tonegate-webhook";
  private static CallsTestbed bed;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    // The emulator's JWKS stands in for Entra's key set; only iss/aud tell the tokens apart.
    bed = CallsTestbed.startWith(acs -> new JsonObject().put("eventGrid", new JsonObject().put("entra",
        new JsonObject().put("issuer", ISSUER).put("audiences", new JsonArray().add(AUDIENCE))
            .put("jwksUrl", acs.jwksUrl()))));
    client = bed.gateway.webClient(bed.vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    bed.close();
  }

  private static String token(String issuer, String audience) {
    long now = Instant.now().getEpochSecond();
    return bed.acs.mintToken(new JsonObject().put("iss", issuer).put("aud", audience).put("iat", now)
        .put("exp", now + 600));
  }

  private static HttpResponse<Buffer> validation(String authorization) throws Exception {
    JsonArray body = new JsonArray().add(new JsonObject().put("id", "v-1").put("topic", "/subscriptions/x")
        .put("subject", "").put("eventType", "Microsoft.EventGrid.SubscriptionValidationEvent")
        .put("data", new JsonObject().put("validationCode", "code-1")).put("eventTime", "2026-11-22T12:00:00Z")
        .put("dataVersion", "1").put("metadataVersion", "1"));
    return client.post("/api/events").putHeader("Authorization", authorization).putHeader("aeg-event-type",
        "SubscriptionValidation").sendBuffer(body.toBuffer()).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a token from the configured issuer for the configured audience is accepted")
  void accepted() throws Exception {
    HttpResponse<Buffer> response = validation("Bearer " + token(ISSUER, AUDIENCE));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("validationResponse")).isEqualTo("code-1");
  }

  @Test
  @DisplayName("another issuer or audience, or a garbled token, is 401")
  void refused() throws Exception {
    assertThat(validation("Bearer " + token("https://login.microsoftonline.com/other/v2.0", AUDIENCE)).statusCode())
        .isEqualTo(401);
    assertThat(validation("Bearer " + token(ISSUER, "api://someone-else")).statusCode()).isEqualTo(401);
    assertThat(validation("Bearer x.y.z").statusCode()).isEqualTo(401);
  }
}
