package io.tonegate.presence;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.config.ConfigLoader;
import io.tonegate.config.ConfigTree;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("presence state in Redis: compare-and-set, versions, publication, layers, debounce (real Redis)")
class PresenceStoreTest {

  private static final Presence AVAILABLE = new Presence("Available", "Available");
  private static final Presence BUSY = new Presence("Busy", "InAMeeting");
  private static final Presence AWAY = new Presence("Away", "Away");

  private static Vertx vertx;
  private static Redis redis;
  private static Redis otherRedis;
  private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
  private final List<JsonObject> published = new CopyOnWriteArrayList<>();
  private RedisConnection listener;
  private PresenceKeys keys;

  @BeforeAll
  static void startRedis() {
    vertx = Vertx.vertx();
    redis = TestRedis.client(vertx); // this run's topology: standalone, or Sentinel/Cluster in their executions
    otherRedis = TestRedis.client(vertx); // a second "instance"
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void listen() throws Exception {
    keys = new PresenceKeys("t" + UUID.randomUUID().toString().substring(0, 8) + ":");
    listener = TestRedis.client(vertx).connect().await(10, TimeUnit.SECONDS);
    listener.handler(message -> {
      if (message.size() >= 4 && "pmessage".equals(message.get(0).toString())) {
        published.add(new JsonObject(message.get(3).toString()));
      }
    });
    listener.send(Request.cmd(Command.PSUBSCRIBE).arg(keys.channel("*").replace("{*}", "*"))).await(10, TimeUnit.SECONDS);
  }

  static PresenceConfig config(JsonObject presenceOverrides) {
    JsonObject merged = ConfigLoader.load(null, Map.of());
    ConfigLoader.overlay(merged, new JsonObject().put("presence", presenceOverrides), "");
    return PresenceConfig.from(new ConfigTree(merged).section("presence"));
  }

  private PresenceStore store(Redis client, long debounceMs) {
    PresenceConfig config = config(new JsonObject().put("debounceWindow", debounceMs + "ms"));
    return new PresenceStore(client, keys, config, "PUBLISH", clock::get, new SimpleMeterRegistry(),
        RedisTopology.current() == RedisTopology.CLUSTER);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  /** Publications reach the listener asynchronously: a PING on its connection is answered after them. */
  private void settle() throws Exception {
    // A marker after everything published so far. On Cluster a PUBLISH reaches other nodes' subscribers over the
    // cluster bus, in order per origin node only: one marker from every master, and wait for all of them.
    long markers;
    if (RedisTopology.current() == RedisTopology.CLUSTER) {
      List<io.tonegate.testing.RedisProcess> masters = RedisTopology.sharedCluster().masters();
      masters.forEach(master -> master.call("PUBLISH", keys.channel("zz-settle"), "{}"));
      markers = masters.size();
    } else {
      await(redis.send(Request.cmd(Command.PUBLISH).arg(keys.channel("zz-settle")).arg("{}")));
      markers = 1;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (published.stream().filter(JsonObject::isEmpty).count() < markers && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    published.removeIf(JsonObject::isEmpty);
  }

  @Test
  @DisplayName("a first state publishes version 1; setting the same state again publishes nothing")
  void unchangedDoesNotPublish() throws Exception {
    PresenceStore store = store(redis, 0);
    UpdateResult first = await(store.set("alice", "manual", BUSY, 0));
    UpdateResult again = await(store.set("alice", "manual", BUSY, 0));
    settle();
    assertThat(first.outcome()).isEqualTo(UpdateResult.Outcome.PUBLISHED);
    assertThat(first.version()).isEqualTo(1);
    assertThat(again.outcome()).isEqualTo(UpdateResult.Outcome.UNCHANGED);
    assertThat(again.version()).isEqualTo(1);
    assertThat(published).hasSize(1);
    assertThat(published.get(0).getString("user")).isEqualTo("alice");
    assertThat(published.get(0).getString("availability")).isEqualTo("Busy");
    assertThat(published.get(0).getString("activity")).isEqualTo("InAMeeting");
    assertThat(published.get(0).getLong("version")).isEqualTo(1);
    assertThat(published.get(0).getString("source")).isEqualTo("manual");
    assertThat(await(store.read(List.of("alice"))).get("alice").version()).isEqualTo(1);
  }

  @Test
  @DisplayName("the same change applied concurrently by two instances is published exactly once")
  void concurrentIdenticalChangesPublishOnce() throws Exception {
    PresenceStore one = store(redis, 0);
    PresenceStore two = store(otherRedis, 0);
    await(one.set("bob", "poll", AVAILABLE, 0));
    List<Future<UpdateResult>> racing = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      racing.add((i % 2 == 0 ? one : two).set("bob", "poll", AWAY, 0));
    }
    await(Future.all(racing));
    settle();
    long winners = racing.stream().filter(f -> f.result().outcome() == UpdateResult.Outcome.PUBLISHED).count();
    assertThat(winners).isEqualTo(1);
    assertThat(published).extracting(m -> m.getLong("version")).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("versions increase by one per change, whichever instance makes it")
  void versionsIncrease() throws Exception {
    PresenceStore one = store(redis, 0);
    PresenceStore two = store(otherRedis, 0);
    Presence[] states = {AVAILABLE, BUSY, AWAY, AVAILABLE, BUSY};
    for (int i = 0; i < states.length; i++) {
      await((i % 2 == 0 ? one : two).set("carol", "manual", states[i], 0));
    }
    settle();
    assertThat(published).extracting(m -> m.getLong("version")).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  @DisplayName("a manual state with an expiry wins over the poller, then falls back to it when it expires")
  void expiryFallsBack() throws Exception {
    PresenceStore store = store(redis, 0);
    await(store.set("dave", "poll", AVAILABLE, 0));
    UpdateResult manual = await(store.set("dave", "manual", BUSY, clock.get() + 60_000));
    assertThat(manual.outcome()).isEqualTo(UpdateResult.Outcome.PUBLISHED);
    assertThat(manual.nextExpiry()).isEqualTo(clock.get() + 60_000);
    assertThat(await(store.set("dave", "poll", AWAY, 0)).outcome())
        .as("a lower layer changing under a live manual state changes nothing").isEqualTo(UpdateResult.Outcome.UNCHANGED);
    clock.addAndGet(60_000);
    UpdateResult after = await(store.recompute("dave"));
    settle();
    assertThat(after.outcome()).isEqualTo(UpdateResult.Outcome.PUBLISHED);
    assertThat(published).extracting(m -> m.getString("availability") + "/" + m.getString("source"))
        .containsExactly("Available/poll", "Busy/manual", "Away/poll");
    PresenceChange now = await(store.read(List.of("dave"))).get("dave");
    assertThat(now.presence()).isEqualTo(AWAY);
    assertThat(now.source()).isEqualTo("poll");
  }

  @Test
  @DisplayName("clearing every layer publishes the configured fallback; a never-set user reads as version 0")
  void fallback() throws Exception {
    PresenceStore store = store(redis, 0);
    assertThat(await(store.read(List.of("erin"))).get("erin").version()).isZero();
    await(store.set("erin", "manual", BUSY, 0));
    await(store.clear("erin", "manual"));
    settle();
    assertThat(published).extracting(m -> m.getString("availability") + "/" + m.getString("source"))
        .containsExactly("Busy/manual", "PresenceUnknown/fallback");
  }

  @Test
  @DisplayName("calls: Busy/InACall while any call of the user is connected, back when the last one ends")
  void calls() throws Exception {
    PresenceStore store = store(redis, 0);
    await(store.set("frank", "poll", AVAILABLE, 0));
    await(store.callStarted("frank", "call-1"));
    await(store.callStarted("frank", "call-2"));
    assertThat(await(store.callEnded("frank", "call-1")).outcome()).isEqualTo(UpdateResult.Outcome.UNCHANGED);
    await(store.callEnded("frank", "call-2"));
    assertThat(await(store.callEnded("frank", "call-2")).outcome()).as("a repeated end").isEqualTo(UpdateResult.Outcome.UNCHANGED);
    settle();
    assertThat(published).extracting(m -> m.getString("availability") + "/" + m.getString("activity"))
        .containsExactly("Available/Available", "Busy/InACall", "Available/Available");
  }

  @Test
  @DisplayName("debounce: flapping within the window is held and only the last state is published at its end")
  void debounce() throws Exception {
    PresenceStore store = store(redis, 1000);
    long start = clock.get();
    assertThat(await(store.set("gina", "manual", AVAILABLE, 0)).outcome()).isEqualTo(UpdateResult.Outcome.PUBLISHED);
    clock.set(start + 100);
    UpdateResult held = await(store.set("gina", "manual", BUSY, 0));
    assertThat(held.outcome()).isEqualTo(UpdateResult.Outcome.DEFERRED);
    assertThat(held.dueAt()).isEqualTo(start + 1000);
    clock.set(start + 200);
    assertThat(await(store.set("gina", "manual", AVAILABLE, 0)).outcome())
        .as("back to the published state: nothing pending").isEqualTo(UpdateResult.Outcome.UNCHANGED);
    clock.set(start + 300);
    assertThat(await(store.set("gina", "manual", AWAY, 0)).outcome()).isEqualTo(UpdateResult.Outcome.DEFERRED);
    clock.set(start + 400);
    assertThat(await(store.set("gina", "manual", BUSY, 0)).outcome()).isEqualTo(UpdateResult.Outcome.DEFERRED);
    assertThat(await(store.claimDue(10, start + 30_000))).as("not due yet").isEmpty();
    clock.set(start + 1000);
    assertThat(await(store.claimDue(10, start + 31_000))).containsExactly("gina");
    UpdateResult trailing = await(store.recompute("gina"));
    assertThat(trailing.outcome()).isEqualTo(UpdateResult.Outcome.PUBLISHED);
    assertThat(trailing.version()).isEqualTo(2);
    await(store.rescheduleDue("gina", trailing, start + 31_000));
    assertThat(await(store.claimDue(10, start + 40_000))).isEmpty();
    settle();
    assertThat(published).extracting(m -> m.getString("availability")).containsExactly("Available", "Busy");
  }
}
