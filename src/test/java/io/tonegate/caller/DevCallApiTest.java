package io.tonegate.caller;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.session.SessionApiClient;
import io.tonegate.session.SessionApiClient.ApiException;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevCallApiTest {

  static final AcsAccessKey KEY = AcsAccessKey.generate(new SecureRandom());

  @Test
  @DisplayName("in devMode an authenticated client can create a simulated call record, once, with valid fields only")
  void createsSimulatedCalls() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("accessKey", KEY.toBase64()))) {
      WebClient web = gateway.webClient(vertx);
      SessionApiClient api = SessionApiClient.withAccessKey(web, URI.create(gateway.baseUrl()), KEY);
      JsonObject created = api.createSimulatedCall(new JsonObject().put("flow", "pstn").put("ani", "+15551234567"))
          .await(10, TimeUnit.SECONDS);
      String id = created.getString("callConnectionId");
      CallRecords records = gateway.gateway().module(CallerModule.class).orElseThrow().callRecords();
      Optional<CallInfo> call = records.find(id).await(10, TimeUnit.SECONDS);
      assertThat(call).get().satisfies(c -> {
        assertThat(c.flow()).isEqualTo(CallerFlow.PSTN);
        assertThat(c.ani()).contains("+15551234567");
        assertThat(c.correlationId()).isEqualTo(created.getString("correlationId"));
      });
      assertThatThrownBy(() -> api.createSimulatedCall(new JsonObject().put("flow", "pstn").put("ani", "+15551234567")
          .put("callConnectionId", id)).await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
      assertThatThrownBy(() -> api.createSimulatedCall(new JsonObject().put("flow", "pstn").put("ani", "555"))
          .await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
      SessionApiClient stranger = SessionApiClient.withAccessKey(web, URI.create(gateway.baseUrl()),
          AcsAccessKey.generate(new SecureRandom()));
      assertThatThrownBy(() -> stranger.createSimulatedCall(new JsonObject().put("flow", "api"))
          .await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("outside devMode the development call API does not exist")
  void absentInProduction() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start(TestGateway.productionMode().put("accessKey", KEY.toBase64()))) {
      SessionApiClient api = SessionApiClient.withAccessKey(gateway.webClient(vertx), URI.create(gateway.baseUrl()),
          KEY);
      assertThatThrownBy(() -> api.createSimulatedCall(new JsonObject().put("flow", "api"))
          .await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
