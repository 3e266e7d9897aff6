package io.tonegate.media;

import io.tonegate.simulator.AcsMediaClient;
import io.tonegate.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.tonegate.media.MediaTestSupport.ACS_ISS;
import static io.tonegate.media.MediaTestSupport.closeCode;
import static io.tonegate.media.MediaTestSupport.connect;
import static io.tonegate.media.MediaTestSupport.counter;
import static io.tonegate.media.MediaTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("/ws/media capacity and dev-mode trust")
class MediaCapacityTest {

  @Test
  @DisplayName("at maxStreams further upgrades get 503 (the HTTP form of 1013); a freed slot is usable again")
  void capacity() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("media", new JsonObject()
        .put("acs", new JsonObject().put("jwksUrl", ""))
        .put("limits", new JsonObject().put("maxStreams", 2))))) {
      DevMediaKey key = DevMediaKey.load(gateway.gateway().context().config().server().dataDir()).orElseThrow();
      String token = key.signMediaToken(ACS_ISS, "tonegate-dev-acs-resource", Duration.ofHours(1));
      AcsMediaClient first = connect(vertx, gateway, "a", token);
      AcsMediaClient second = connect(vertx, gateway, "b", token);
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-ms-call-connection-id", "c")
          .add("Authorization", "Bearer " + token);
      assertThat(gateway.upgradeStatus(vertx, "/ws/media", headers)).isEqualTo(503);
      assertThat(counter(gateway, "tonegate.media.upgrades.refused", "reason", "capacity")).isEqualTo(1);
      assertThat(gateway.gateway().context().registry().get("tonegate.media.streams.active").gauge().value())
          .isEqualTo(2);
      first.close(1000, "done");
      closeCode(first);
      eventually(() -> MediaTestSupport.media(gateway).activeStreams() == 1);
      AcsMediaClient third = connect(vertx, gateway, "c", token);
      third.close(1000, "done");
      second.close(1000, "done");
      assertThat(closeCode(third)).isEqualTo(1000);
      assertThat(closeCode(second)).isEqualTo(1000);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("with devMode false the dev key is neither created nor trusted")
  void devKeyNotTrustedInProduction() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway dev = TestGateway.start();
         TestGateway prod = TestGateway.start(TestGateway.productionMode().put("media", new JsonObject()
             .put("acs", new JsonObject().put("jwksUrl", "").put("audiences", new JsonArray().add("prod-resource"))
                 .put("jwksFile", "/nonexistent/jwks.json"))))) {
      assertThat(DevMediaKey.load(prod.gateway().context().config().server().dataDir())).isEmpty();
      DevMediaKey key = DevMediaKey.load(dev.gateway().context().config().server().dataDir()).orElseThrow();
      for (String audience : new String[] {"tonegate-dev-acs-resource", "prod-resource"}) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-ms-call-connection-id", "x")
            .add("Authorization", "Bearer " + key.signMediaToken(ACS_ISS, audience, Duration.ofHours(1)));
        assertThat(prod.upgradeStatus(vertx, "/ws/media", headers)).isEqualTo(401);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
