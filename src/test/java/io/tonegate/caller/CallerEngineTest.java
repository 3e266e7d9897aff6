package io.tonegate.caller;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.config.TonegateConfig;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.ratelimit.RateLimitsConfig;
import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.redis.RedisClients;
import io.tonegate.session.SessionConfig;
import io.tonegate.session.SessionStore;
import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisSentinelHarness;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The caller engine with real Redis and real timers, media in memory: every rule of a call's authentication.
 * The end-to-end tests over the media WebSocket repeat the main flows with the simulator.
 */
class CallerEngineTest {

  private static final String SECRET = "dGVzdC1zZWNyZXQtZm9yLWNhbGxlci1lbmdpbmUtdGVzdHMtMzJieXRlcw==";

  private final Vertx vertx = Vertx.vertx();
  private final List<String> hungUp = new CopyOnWriteArrayList<>();
  private final List<CallerOutcomeEvent> events = new CopyOnWriteArrayList<>();
  private Redis redis;
  private SessionStore sessions;
  private CallRecords records;
  private CallerEngine engine;
  private String prefix;

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void startEngine(String redisUrl, JsonObject overrides) {
    // null: this run's topology (standalone, or Sentinel/Cluster in the build's topology executions)
    startEngine(redisUrl == null ? TestRedis.client(vertx)
        : Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(8)
            .setMaxPoolWaiting(256)), overrides);
  }

  private void startEngine(Redis client, JsonObject overrides) {
    JsonObject all = new JsonObject()
        .put("session", new JsonObject().put("keySecret", SECRET))
        .put("caller", new JsonObject().put("firstDigitTimeout", "3s").put("automaticRetryDelay", "200ms"));
    all.getJsonObject("session").mergeIn(overrides.getJsonObject("session", new JsonObject()));
    all.getJsonObject("caller").mergeIn(overrides.getJsonObject("caller", new JsonObject()));
    if (overrides.containsKey("rateLimits")) {
      all.put("rateLimits", overrides.getJsonObject("rateLimits"));
    }
    TonegateConfig config = TestGateway.config(all, TestRedis.dataRoot().resolve("engine-" + UUID.randomUUID()));
    prefix = "ce" + UUID.randomUUID().toString().substring(0, 8) + ":";
    redis = client;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SessionConfig sessionConfig = SessionConfig.from(config.root().section("session"), false, config.server().dataDir());
    sessions = new SessionStore(redis, prefix, sessionConfig, registry, Clock.systemUTC());
    CallerConfig callerConfig = CallerConfig.from(config.root().section("caller"), sessionConfig);
    RateLimitsConfig limits = RateLimitsConfig.from(config.root().section("rateLimits"));
    records = new CallRecords(redis, prefix);
    CallerEvents callerEvents = new CallerEvents(redis, prefix + callerConfig.eventsChannel(), registry);
    callerEvents.subscribe(events::add);
    engine = new CallerEngine(vertx, callerConfig, sessionConfig.rules(), records,
        new CodeValidator(vertx, sessions, new RateLimiter(redis, prefix, registry), limits,
            callerConfig.redisDeadline(), registry),
        callerEvents, (id, reason) -> {
          hungUp.add(id + ":" + reason);
          return Future.succeededFuture();
        }, registry);
  }

  private void startEngine() {
    startEngine((String) null, new JsonObject());
  }

  /** A call in progress: its media, its caller session, and a way to press keys on its event loop. */
  private final class Call {
    final RecordingMedia media;
    final Context context = vertx.getOrCreateContext();
    volatile CallerSession session;

    Call(String callConnectionId) throws Exception {
      media = new RecordingMedia(callConnectionId, 16000);
      Future<Void> opened = Future.future(p -> context.runOnContext(v -> {
        session = engine.open(media);
        p.complete();
      }));
      opened.await(10, TimeUnit.SECONDS);
    }

    void dial(String keys) {
      context.runOnContext(v -> {
        for (char c : keys.toCharArray()) {
          session.digit(c, 0);
        }
      });
    }

    CallerAuthState awaitFinal() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!session.state().isFinal() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      return session.state();
    }
  }

  private String pstnCall(String ani) throws Exception {
    String id = UUID.randomUUID().toString();
    records.createSimulated(new CallInfo(id, "corr-" + id, CallerFlow.PSTN, Optional.of(ani), Optional.empty()),
        "+18005550100", Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
    return id;
  }

  private void storeKey(String key, Duration ttl) throws Exception {
    sessions.store(sessions.rules().parse(key), new JsonObject().put("who", "caller"), ttl, false, "test")
        .await(10, TimeUnit.SECONDS);
  }

  private static String uniqueAni() {
    return "+1555" + String.format("%07d", (long) (Math.random() * 10_000_000));
  }

  @Test
  @DisplayName("PSTN: the right code authenticates, plays the accepted tone, authorizes media, publishes and records the outcome")
  void pstnAuthenticates() throws Exception {
    startEngine();
    String ani = uniqueAni();
    storeKey("pstn:" + ani + ":823", Duration.ofMinutes(5));
    Call call = new Call(pstnCall(ani));
    call.dial("823#");
    assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
    assertThat(call.media.awaitTones(1)).containsExactly(OutcomeTone.ACCEPTED);
    assertThat(call.media.authorized).isTrue();
    awaitEvents(1); // outcome events are published just after the state changes
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.state()).isEqualTo(CallerAuthState.AUTHENTICATED);
      assertThat(e.session()).get().extracting(s -> s.value().getString("who")).isEqualTo("caller");
      assertThat(e.toJson().encode()).doesNotContain(":823").contains(":***"); // the code never appears in clear
    });
    String authState = null;
    for (int i = 0; i < 200 && authState == null; i++) { // written just after the decision, asynchronously
      var value = RedisAPI.api(redis).hget(records.key(call.media.callConnectionId()), "authState")
          .await(10, TimeUnit.SECONDS);
      authState = value == null ? null : value.toString();
      if (authState == null) {
        Thread.sleep(10);
      }
    }
    assertThat(authState).isEqualTo("AUTHENTICATED");
    assertThat(hungUp).isEmpty();
  }

  @Test
  @DisplayName("a wrong code plays try-again, then the right code authenticates")
  void wrongThenRight() throws Exception {
    startEngine();
    String ani = uniqueAni();
    storeKey("pstn:" + ani + ":4711", Duration.ofMinutes(5));
    Call call = new Call(pstnCall(ani));
    call.dial("1234#");
    assertThat(call.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN);
    call.dial("4711#");
    assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
    assertThat(call.media.awaitTones(2)).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.ACCEPTED);
  }

  @Test
  @DisplayName("three wrong codes reject the call: rejected tone, no authorization, hung up")
  void rejectsAfterThree() throws Exception {
    startEngine();
    String ani = uniqueAni();
    storeKey("pstn:" + ani + ":4711", Duration.ofMinutes(5));
    Call call = new Call(pstnCall(ani));
    for (String code : List.of("111", "222", "333")) {
      int before = call.media.heard.size();
      call.dial(code + "#");
      call.media.awaitTones(before + 1);
    }
    assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.REJECTED);
    assertThat(call.media.awaitTones(3)).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.TRY_AGAIN, OutcomeTone.REJECTED);
    assertThat(call.media.authorized).isFalse();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (hungUp.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(hungUp).containsExactly(call.media.callConnectionId() + ":rejected");
    // The key was never matched: it is still there for the legitimate caller.
    assertThat(sessions.consume(sessions.rules().parse("pstn:" + ani + ":4711")).await(10, TimeUnit.SECONDS))
        .isPresent();
  }

  @Test
  @DisplayName("the per-number limit locks a caller out across calls, and the key is not touched")
  void lockoutAcrossCalls() throws Exception {
    startEngine((String) null, new JsonObject().put("rateLimits", new JsonObject()
        .put("perAni", new JsonObject().put("limit", 4).put("window", "10m"))));
    String ani = uniqueAni();
    storeKey("pstn:" + ani + ":4711", Duration.ofMinutes(5));
    Call first = new Call(pstnCall(ani));
    for (String code : List.of("111", "222", "333")) {
      int before = first.media.heard.size();
      first.dial(code + "#");
      first.media.awaitTones(before + 1);
    }
    assertThat(first.awaitFinal()).isEqualTo(CallerAuthState.REJECTED);
    Call second = new Call(pstnCall(ani));
    second.dial("999#");
    assertThat(second.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN); // attempt 4 of 4
    second.dial("4711#");                                                             // attempt 5: refused
    assertThat(second.awaitFinal()).isEqualTo(CallerAuthState.LOCKED_OUT);
    assertThat(second.media.awaitTones(2)).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.LOCKED_OUT);
    assertThat(awaitEvents(2).get(1).detail()).isEqualTo(CodeValidator.SCOPE_ANI);
    assertThat(sessions.consume(sessions.rules().parse("pstn:" + ani + ":4711")).await(10, TimeUnit.SECONDS))
        .as("a locked-out attempt must not consume the key").isPresent();
  }

  @Test
  @DisplayName("an expired key does not authenticate")
  void expiredKey() throws Exception {
    startEngine();
    String ani = uniqueAni();
    storeKey("pstn:" + ani + ":823", Duration.ofSeconds(1));
    Thread.sleep(1300);
    Call call = new Call(pstnCall(ani));
    call.dial("823#");
    assertThat(call.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN);
    assertThat(call.session.state()).isEqualTo(CallerAuthState.COLLECTING);
    assertThat(call.media.authorized).isFalse();
  }

  @Test
  @DisplayName("a consumed code cannot be replayed by a second call")
  void noReplay() throws Exception {
    startEngine();
    String ani = uniqueAni();
    storeKey("pstn:" + ani + ":823", Duration.ofMinutes(5));
    Call first = new Call(pstnCall(ani));
    first.dial("823#");
    assertThat(first.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
    Call replay = new Call(pstnCall(ani));
    replay.dial("823#");
    assertThat(replay.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN);
    assertThat(replay.media.authorized).isFalse();
  }

  @Test
  @DisplayName("two calls racing for one key: exactly one is authenticated")
  void race() throws Exception {
    startEngine();
    for (int round = 0; round < 5; round++) {
      String ani = uniqueAni();
      storeKey("pstn:" + ani + ":823", Duration.ofMinutes(5));
      Call a = new Call(pstnCall(ani));
      Call b = new Call(pstnCall(ani));
      a.dial("823#");
      b.dial("823#");
      a.media.awaitTones(1);
      b.media.awaitTones(1);
      assertThat(List.of(a.media.heard.get(0), b.media.heard.get(0)))
          .containsExactlyInAnyOrder(OutcomeTone.ACCEPTED, OutcomeTone.TRY_AGAIN);
      assertThat(a.media.authorized.get() ^ b.media.authorized.get()).isTrue();
    }
  }

  @Test
  @DisplayName("API flow: the acs: key of the call authenticates without any digit; without it the call is rejected")
  void apiFlow() throws Exception {
    startEngine();
    String id = UUID.randomUUID().toString();
    sessions.storeCallKey(id, new JsonObject().put("placedBy", "app"), Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
    records.createSimulated(new CallInfo(id, "c", CallerFlow.API, Optional.empty(), Optional.empty()), "x",
        Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
    Call call = new Call(id);
    assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);

    String other = UUID.randomUUID().toString();
    records.createSimulated(new CallInfo(other, "c", CallerFlow.API, Optional.empty(), Optional.empty()), "x",
        Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
    Call unknown = new Call(other);
    assertThat(unknown.awaitFinal()).isEqualTo(CallerAuthState.REJECTED);
    assertThat(unknown.media.awaitTones(1)).containsExactly(OutcomeTone.REJECTED);
  }

  @Test
  @DisplayName("SIP flow: with codes enabled the Call-ID and the entered code must match")
  void sipFlowWithCode() throws Exception {
    startEngine((String) null, new JsonObject().put("session", new JsonObject().put("sipWithCode", true)));
    String id = UUID.randomUUID().toString();
    String sipCallId = id + "@sbc.example.com";
    storeKey("sip:" + sipCallId + ":2468", Duration.ofMinutes(5));
    records.createSimulated(new CallInfo(id, "c", CallerFlow.SIP, Optional.empty(), Optional.of(sipCallId)), "x",
        Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
    Call call = new Call(id);
    call.dial("2468#");
    assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
  }

  @Test
  @DisplayName("a call without a record, or a PSTN call without a caller number, is rejected at once")
  void unknownCallers() throws Exception {
    startEngine();
    Call noRecord = new Call(UUID.randomUUID().toString());
    assertThat(noRecord.awaitFinal()).isEqualTo(CallerAuthState.REJECTED);
    String id = UUID.randomUUID().toString();
    records.createSimulated(new CallInfo(id, "c", CallerFlow.PSTN, Optional.empty(), Optional.empty()), "x",
        Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
    Call anonymous = new Call(id);
    assertThat(anonymous.awaitFinal()).isEqualTo(CallerAuthState.REJECTED);
    assertThat(awaitEvents(2)).extracting(CallerOutcomeEvent::detail)
        .containsExactly("no_call_record", "no_caller_number");
  }

  @Test
  @DisplayName("Redis stopped mid-call: the attempt is unavailable (try again, not authenticated); once Redis is back the retry succeeds")
  void redisOutageMidCall() throws Exception {
    EmbeddedRedis server = TestRedis.startDedicated();
    try {
      startEngine(server.url(), new JsonObject());
      String ani = uniqueAni();
      storeKey("pstn:" + ani + ":823", Duration.ofMinutes(5));
      Call call = new Call(pstnCall(ani));
      assertThat(awaitState(call, CallerAuthState.COLLECTING)).isTrue();
      server.stop();
      call.dial("823#");
      assertThat(call.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN);
      assertThat(call.session.state()).isEqualTo(CallerAuthState.COLLECTING);
      assertThat(call.media.authorized).isFalse();

      server.restart();
      call.dial("823#");
      assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
      assertThat(call.media.awaitTones(2)).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.ACCEPTED);
    } finally {
      server.stop();
    }
  }

  @Test
  @DisplayName("Redis slower than the deadline: the attempt is unavailable (fail closed), the key survives, the retry succeeds")
  void slowRedis() throws Exception {
    EmbeddedRedis server = TestRedis.startDedicated();
    try {
      startEngine(server.url(), new JsonObject());
      String ani = uniqueAni();
      storeKey("pstn:" + ani + ":823", Duration.ofMinutes(5));
      Call call = new Call(pstnCall(ani));
      assertThat(awaitState(call, CallerAuthState.COLLECTING)).isTrue();
      // A second connection pauses every client for 800 ms: longer than the 250 ms deadline.
      Redis admin = Redis.createClient(vertx, server.url());
      admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT).arg("PAUSE").arg(800)
          .arg("ALL")).await(10, TimeUnit.SECONDS);
      call.dial("823#");
      assertThat(call.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN);
      assertThat(call.media.authorized).isFalse();
      Thread.sleep(800); // let the pause end
      call.dial("823#");
      assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
      admin.close();
    } finally {
      server.stop();
    }
  }

  @Test
  @DisabledIfSystemProperty(named = RedisTopology.PROPERTY, matches = "sentinel|cluster",
      disabledReason = "starts its own Sentinel group: once per build, in the standalone run")
  @DisplayName("Sentinel master SIGKILLed while calls dial: no wrong code is ever accepted, attempts during the failover are unavailable (never authenticated), every right code authenticates on the promoted replica, no replicated key is lost")
  void sentinelMasterKilledDuringCalls() throws Exception {
    RedisSentinelHarness sentinel = RedisSentinelHarness.start(RedisTopology.freshDir("caller-failover"));
    try {
      // A long first-digit timeout: the calls wait through the failover (about 2-4 s) without timing out.
      startEngine(RedisClients.create(vertx, RedisTopology.redisConfig(RedisTopology.sentinelSection(sentinel))),
          new JsonObject().put("caller", new JsonObject().put("firstDigitTimeout", "60s")));
      List<Call> before = new java.util.ArrayList<>();   // authenticate before the fault
      List<Call> honest = new java.util.ArrayList<>();   // dial their right code as the master dies
      List<Call> intruders = new java.util.ArrayList<>(); // dial wrong codes as the master dies, and after
      List<String> honestKeys = new java.util.ArrayList<>();
      List<String> intruderKeys = new java.util.ArrayList<>();
      List<String> beforeAnis = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String ani = uniqueAni();
        beforeAnis.add(ani);
        storeKey("pstn:" + ani + ":" + (5100 + i), Duration.ofMinutes(10));
        before.add(new Call(pstnCall(ani)));
      }
      for (int i = 0; i < 8; i++) {
        String ani = uniqueAni();
        honestKeys.add("pstn:" + ani + ":" + (6100 + i));
        storeKey(honestKeys.get(i), Duration.ofMinutes(10));
        honest.add(new Call(pstnCall(ani)));
      }
      for (int i = 0; i < 4; i++) {
        String ani = uniqueAni();
        intruderKeys.add("pstn:" + ani + ":" + (7100 + i));
        storeKey(intruderKeys.get(i), Duration.ofMinutes(10));
        intruders.add(new Call(pstnCall(ani)));
      }
      for (int i = 0; i < before.size(); i++) {
        before.get(i).dial((5100 + i) + "#");
      }
      for (Call call : before) {
        assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
      }
      for (Call call : concat(honest, intruders)) {
        assertThat(awaitState(call, CallerAuthState.COLLECTING)).isTrue();
      }
      // The durability contract: keys (and the consumptions above) acknowledged by the replica survive a failover.
      sentinel.awaitReplicated();

      RedisProcess old = sentinel.master();
      old.kill();
      for (int i = 0; i < honest.size(); i++) {
        honest.get(i).dial((6100 + i) + "#");
      }
      for (Call call : intruders) {
        call.dial("0000#");
      }
      for (Call call : concat(honest, intruders)) {
        call.media.awaitTones(1); // each attempt has an outcome: checked on a master, or unavailable
      }
      for (Call call : intruders) {
        assertThat(call.media.heard).containsExactly(OutcomeTone.TRY_AGAIN);
        assertThat(call.media.authorized).isFalse();
      }
      for (Call call : honest) {
        // ACCEPTED only if this attempt already reached the promoted replica; never any other way
        assertThat(call.media.heard).singleElement().isIn(OutcomeTone.TRY_AGAIN, OutcomeTone.ACCEPTED);
        assertThat(call.media.authorized.get()).isEqualTo(call.media.heard.get(0) == OutcomeTone.ACCEPTED);
      }
      long unavailable = honest.stream().filter(c -> c.media.heard.get(0) == OutcomeTone.TRY_AGAIN).count();

      sentinel.awaitNewMaster(old);
      awaitWritable(redis); // the engine's own client has found the promoted replica
      for (int i = 0; i < honest.size(); i++) {
        if (honest.get(i).session.state() != CallerAuthState.AUTHENTICATED) {
          honest.get(i).dial((6100 + i) + "#");
        }
      }
      for (Call call : intruders) {
        call.dial("9999#");
      }
      for (Call call : honest) {
        assertThat(call.awaitFinal()).isEqualTo(CallerAuthState.AUTHENTICATED);
        assertThat(call.media.authorized).isTrue();
      }
      for (Call call : intruders) {
        assertThat(call.media.awaitTones(2)).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.TRY_AGAIN);
        assertThat(call.media.authorized).isFalse();
        assertThat(call.session.state()).isEqualTo(CallerAuthState.COLLECTING);
      }
      for (String key : honestKeys) {
        assertThat(sessions.consume(sessions.rules().parse(key)).await(10, TimeUnit.SECONDS))
            .as("%s: consumed exactly once, by its caller on the promoted replica", key).isEmpty();
      }
      for (String key : intruderKeys) {
        assertThat(sessions.consume(sessions.rules().parse(key)).await(10, TimeUnit.SECONDS))
            .as("%s: stored before the failover, never matched by a wrong code: still there", key).isPresent();
      }
      for (int i = 0; i < before.size(); i++) {
        Call replay = new Call(pstnCall(beforeAnis.get(i)));
        replay.dial((5100 + i) + "#");
        assertThat(replay.media.awaitTones(1)).as("a replicated consumption is not undone by the failover")
            .containsExactly(OutcomeTone.TRY_AGAIN);
      }
      System.out.printf("[resilience] caller during Sentinel failover: %d of %d right codes dialled as the master "
          + "died were unavailable and authenticated on retry; 0 wrong codes accepted; 0 keys lost%n",
          unavailable, honest.size());
    } finally {
      sentinel.close();
    }
  }

  private static List<Call> concat(List<Call> a, List<Call> b) {
    List<Call> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Waits (up to 20 s) until {@code client} acknowledges a write: after a failover, it has found the new master. */
  private static void awaitWritable(Redis client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SET).arg("probe:" + UUID.randomUUID())
            .arg("1").arg("EX").arg(60)).await(2, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the client never reached a writable master", e);
        }
        Thread.sleep(50);
      }
    }
  }

  /** Waits (up to 10 s) until {@code count} outcome events were published; returns them. */
  private List<CallerOutcomeEvent> awaitEvents(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (events.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return List.copyOf(events);
  }

  private static boolean awaitState(Call call, CallerAuthState state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (call.session.state() != state && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return call.session.state() == state;
  }
}
