package io.tonegate.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("a subscriber that stops reading is coalesced, then closed with 1008, and never delays the others")
class SlowSubscriberTest {

  private static final Presence[] STATES = {new Presence("Available", "Available"), new Presence("Busy", "InACall"),
      new Presence("Away", "Away")};
  private static Vertx vertx;
  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = PresenceTesting.gateway(PresenceTesting.newPrefix(), new JsonObject()
        .put("debounceWindow", "0ms")
        .put("subscriber", new JsonObject().put("queueSize", 8).put("writeQueueBytes", 1024).put("stuckTimeout", "2s")));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  private static double counter(String name) {
    MeterRegistry registry = gateway.gateway().context().registry();
    Counter counter = registry.find(name).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("the slow subscriber's queue coalesces (counted) and it is closed with 1008; a fast one gets every version")
  void slowSubscriber() throws Exception {
    String token = PresenceTesting.newIdentity(vertx, gateway, TokenScope.PRESENCE_READ).token();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      users.add("slow-" + UUID.randomUUID());
    }
    try (PresenceClient slow = PresenceClient.connect(vertx, gateway,
        gateway.webSocketOptions().setReceiveBufferSize(4096), token, null);
         PresenceClient fast = PresenceClient.connect(vertx, gateway, token, null)) {
      slow.subscribe(users, Map.of());
      fast.subscribe(users, Map.of());
      for (String user : users) {
        slow.await(f -> "snapshot".equals(f.getString("type")) && user.equals(f.getString("user")));
        fast.await(f -> "snapshot".equals(f.getString("type")) && user.equals(f.getString("user")));
      }
      slow.socket().pause();

      PresencePublisher publisher = PresenceTesting.module(gateway).publisher();
      double coalescedBefore = counter("tonegate.presence.coalesced");
      long[] versions = new long[users.size()];
      int published = 0;
      // Publish until the slow subscriber's socket is full and its queue coalesces (bounded: 200k changes).
      while (counter("tonegate.presence.coalesced") == coalescedBefore && published < 200_000) {
        List<Future<UpdateResult>> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++, published++) {
          int u = published % users.size();
          batch.add(publisher.set(users.get(u), "manual", STATES[(published / users.size()) % STATES.length], 0));
        }
        Future.all(batch).await(30, TimeUnit.SECONDS);
      }
      for (int u = 0; u < users.size(); u++) {
        versions[u] = PresenceTesting.module(gateway).publisher().recompute(users.get(u)).await(10, TimeUnit.SECONDS).version();
      }
      assertThat(counter("tonegate.presence.coalesced")).as("coalesced after %d changes", published)
          .isGreaterThan(coalescedBefore);

      for (int u = 0; u < users.size(); u++) {
        fast.awaitChange(users.get(u), versions[u]);
        List<Long> seen = fast.changeVersions(users.get(u));
        assertThat(seen).as("the fast subscriber got every version in order").containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, versions[u]).boxed().toList());
      }

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (counter("tonegate.presence.slow.closed") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(counter("tonegate.presence.slow.closed")).as("closed by the stuck timeout").isEqualTo(1);
      // The close frame sits behind the unread data: once the client reads again it finds 1008.
      slow.socket().resume();
      slow.awaitClosed();
      assertThat(slow.closeStatus).isEqualTo((short) 1008);
      assertThat(fast.socket().isClosed()).isFalse();
    }
  }
}
