package io.tonegate.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tonegate.identity.CustomIdentity;
import io.tonegate.identity.IdentityModule;
import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Presence tokens narrowed by a presence grant (tg.grants), over the real /ws/presence. */
@DisplayName("/ws/presence enforces presence grants")
class PresenceGrantsTest {

  static Vertx vertx;
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  static String token(TokenGrants grants) throws Exception {
    IdentityModule identity = gateway.gateway().module(IdentityModule.class).orElseThrow();
    CustomIdentity user = identity.identityForCustomId("presence-grants-" + UUID.randomUUID())
        .await(10, TimeUnit.SECONDS);
    return identity.issueToken(user.id(), Set.of(TokenScope.PRESENCE_READ), Duration.ofHours(1), grants)
        .await(10, TimeUnit.SECONDS).token();
  }

  @Test
  @DisplayName("A token with a presence grant may subscribe to its users only; the others are refused as forbidden")
  void grantedUsersOnly() throws Exception {
    String granted = "8:acs:tonegate_granted-" + UUID.randomUUID();
    String other = "8:acs:tonegate_other-" + UUID.randomUUID();
    try (PresenceClient client = PresenceClient.connect(vertx, gateway, token(TokenGrants.presence(List.of(granted))),
        null)) {
      JsonObject reply = client.subscribe(List.of(granted, other), Map.of());
      assertThat(reply.getJsonArray("users")).containsExactly(granted);
      JsonArray refused = reply.getJsonArray("refused");
      assertThat(refused).hasSize(1);
      assertThat(refused.getJsonObject(0).getString("user")).isEqualTo(other);
      assertThat(refused.getJsonObject(0).getString("reason")).isEqualTo("forbidden");
    }
    try (PresenceClient client = PresenceClient.connect(vertx, gateway, token(TokenGrants.NONE), null)) {
      assertThat(client.subscribe(List.of(granted, other), Map.of()).getJsonArray("users"))
          .containsExactly(granted, other);
    }
  }
}
