package io.tonegate.presence;

import io.tonegate.caller.AttemptOutcome;
import io.tonegate.caller.CallerAuthState;
import io.tonegate.caller.CallerFlow;
import io.tonegate.caller.CallerOutcomeEvent;
import io.tonegate.identity.TokenScope;
import io.tonegate.session.SessionKey;
import io.tonegate.session.StoredSession;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("calls source: an authenticated call makes its identities Busy/InACall, its end puts them back")
class CallPresenceBridgeTest {

  @Test
  @DisplayName("AUTHENTICATED with identities in the session value -> InACall; CallDisconnected -> previous state")
  void authenticatedCall() throws Exception {
    String prefix = PresenceTesting.newPrefix();
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = PresenceTesting.gateway(prefix, new JsonObject().put("debounceWindow", "0ms"))) {
      PresenceModule presence = PresenceTesting.module(gateway);
      CallPresenceBridge bridge = CallPresenceBridge.unconnected(presence, gateway.gateway().context().redis(), prefix);
      String alice = "alice-" + UUID.randomUUID();
      String bob = "bob-" + UUID.randomUUID();
      presence.publisher().set(alice, "poll", new Presence("Available", "Available"), 0).await(10, TimeUnit.SECONDS);
      String token = PresenceTesting.newIdentity(vertx, gateway, TokenScope.PRESENCE_READ).token();
      try (PresenceClient sub = PresenceClient.connect(vertx, gateway, token, null)) {
        sub.subscribe(List.of(alice, bob), Map.of());
        sub.await(f -> "snapshot".equals(f.getString("type")) && bob.equals(f.getString("user")));

        String callId = "call-" + UUID.randomUUID();
        JsonObject value = new JsonObject().put("identity", alice).put("identities", new JsonArray().add(bob).add("x{bad"));
        StoredSession session = new StoredSession("s1", SessionKey.Type.PSTN, "pstn:+1555***", value, Instant.now(),
            Instant.now().plusSeconds(600), "test");
        gateway.gateway().vertx().runOnContext(v -> bridge.onOutcome(new CallerOutcomeEvent(callId, "corr",
            CallerFlow.PSTN, CallerAuthState.REJECTED, AttemptOutcome.WRONG_CODE, "", 1, Optional.of(session),
            Instant.now())));
        gateway.gateway().vertx().runOnContext(v -> bridge.onOutcome(new CallerOutcomeEvent(callId, "corr",
            CallerFlow.PSTN, CallerAuthState.AUTHENTICATED, AttemptOutcome.ACCEPTED, "", 2, Optional.of(session),
            Instant.now())));
        JsonObject busy = sub.await(f -> "presence".equals(f.getString("type")) && alice.equals(f.getString("user")));
        assertThat(busy.getString("availability") + "/" + busy.getString("activity")).isEqualTo("Busy/InACall");
        assertThat(busy.getString("source")).isEqualTo("call");
        sub.await(f -> "presence".equals(f.getString("type")) && bob.equals(f.getString("user"))
            && "InACall".equals(f.getString("activity")));

        gateway.gateway().vertx().runOnContext(v -> bridge.onCallDisconnected(callId));
        JsonObject back = sub.await(f -> "presence".equals(f.getString("type")) && alice.equals(f.getString("user"))
            && f.getLong("version") == busy.getLong("version") + 1);
        assertThat(back.getString("availability")).isEqualTo("Available");
        JsonObject bobBack = sub.await(f -> "presence".equals(f.getString("type")) && bob.equals(f.getString("user"))
            && "PresenceUnknown".equals(f.getString("availability")));
        assertThat(bobBack.getString("source")).isEqualTo("fallback");
        assertThat(sub.changeVersions(alice)).hasSize(2);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
