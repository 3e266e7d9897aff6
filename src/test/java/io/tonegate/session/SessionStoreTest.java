package io.tonegate.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionStoreTest {

  private final Vertx vertx = Vertx.vertx();
  private Redis redis;
  private SessionStore store;
  private String prefix;
  private final SessionKeyRules rules = new SessionKeyRules(3, 8, false);

  @BeforeEach
  void setUp() {
    redis = TestRedis.client(vertx); // this run's topology: standalone, or Sentinel/Cluster in their executions
    prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
    store = new SessionStore(redis, prefix, config(ConsumeMode.ONE_TIME), new SimpleMeterRegistry(),
        Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private SessionConfig config(ConsumeMode mode) {
    byte[] secret = new byte[32];
    secret[5] = 42;
    return new SessionConfig(new SessionKeyDigest(secret), "test", rules, Duration.ofHours(1), Duration.ofSeconds(1),
        Duration.ofHours(24), 4096, mode, Duration.ofSeconds(2));
  }

  private <T> T await(Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a stored key can be read by id, consumed exactly once, and is gone afterwards (no replay)")
  void storeConsumeOnce() throws Exception {
    SessionKey key = rules.parse("pstn:+15551234567:823");
    JsonObject value = new JsonObject().put("who", "alice").put("purpose", "support");
    StoredSession stored = await(store.store(key, value, Duration.ofMinutes(5), false, "ivr"));
    assertThat(stored.redacted()).isEqualTo("pstn:+15551234567:***");

    assertThat(await(store.get(stored.id()))).get().satisfies(s -> {
      assertThat(s.value()).isEqualTo(value);
      assertThat(s.createdBy()).isEqualTo("ivr");
    });
    assertThat(await(store.consume(rules.parse("pstn:+15551234567:824")))).isEmpty();
    assertThat(await(store.consume(key))).get().extracting(StoredSession::value).isEqualTo(value);
    assertThat(await(store.consume(key))).isEmpty();
    assertThat(await(store.get(stored.id()))).isEmpty();
  }

  @Test
  @DisplayName("in keep-until-ttl mode a key matches repeatedly until deleted")
  void keepUntilTtl() throws Exception {
    SessionKey key = rules.parse("sip:call-1@sbc.example");
    await(store.store(key, new JsonObject(), Duration.ofMinutes(5), false, "sbc"));
    assertThat(await(store.consume(key, ConsumeMode.KEEP_UNTIL_TTL))).isPresent();
    assertThat(await(store.consume(key, ConsumeMode.KEEP_UNTIL_TTL))).isPresent();
    assertThat(await(store.delete(store.id(key)))).isTrue();
    assertThat(await(store.consume(key, ConsumeMode.KEEP_UNTIL_TTL))).isEmpty();
    assertThat(await(store.delete(store.id(key)))).isFalse();
  }

  @Test
  @DisplayName("storing an existing key conflicts unless replace is asked for")
  void conflict() throws Exception {
    SessionKey key = rules.parse("acs:call-conflict");
    await(store.store(key, new JsonObject().put("n", 1), Duration.ofMinutes(1), false, "a"));
    assertThatThrownBy(() -> await(store.store(key, new JsonObject().put("n", 2), Duration.ofMinutes(1), false, "b")))
        .isInstanceOf(SessionConflictException.class);
    await(store.store(key, new JsonObject().put("n", 3), Duration.ofMinutes(1), true, "c"));
    assertThat(await(store.get(store.id(key)))).get().extracting(s -> s.value().getInteger("n")).isEqualTo(3);
  }

  @Test
  @DisplayName("a key expires with its TTL and then no longer matches")
  void expires() throws Exception {
    SessionKey key = rules.parse("pstn:+15557654321:4711");
    await(store.store(key, new JsonObject(), Duration.ofMillis(1200), false, "ivr"));
    Response pttl = await(redis.send(Request.cmd(Command.PTTL).arg(store.redisKey(store.id(key)))));
    assertThat(pttl.toLong()).isBetween(1L, 1200L);
    Thread.sleep(1500);
    assertThat(await(store.consume(key))).isEmpty();
  }

  @Test
  @DisplayName("fifty concurrent consumers of one key: exactly one gets it")
  void raceExactlyOneWins() throws Exception {
    for (int round = 0; round < 5; round++) {
      SessionKey key = rules.parse("pstn:+15550000000:" + (100 + round));
      await(store.store(key, new JsonObject(), Duration.ofMinutes(1), false, "ivr"));
      List<Future<Optional<StoredSession>>> racers = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        racers.add(store.consume(key));
      }
      await(Future.all(racers));
      assertThat(racers.stream().filter(f -> f.result().isPresent()).count()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("Redis holds neither the code nor the caller number: key names are digests, values are redacted")
  void nothingInClear() throws Exception {
    SessionKey key = rules.parse("pstn:+15551112222:98765");
    await(store.store(key, new JsonObject().put("who", "bob"), Duration.ofMinutes(1), false, "ivr"));
    Response keys = await(redis.send(Request.cmd(Command.KEYS).arg(prefix + "*")));
    assertThat(keys.size()).isEqualTo(1);
    String name = keys.get(0).toString();
    assertThat(name).doesNotContain("98765").doesNotContain("5551112222").startsWith(prefix + "session:");
    String stored = await(redis.send(Request.cmd(Command.GET).arg(name))).toString();
    assertThat(stored).doesNotContain("98765").contains("pstn:+15551112222:*****");
  }

  @Test
  @DisplayName("a session consumed too late is put back for the rest of its TTL, never past it")
  void restore() throws Exception {
    SessionKey key = rules.parse("pstn:+15553334444:555");
    await(store.store(key, new JsonObject(), Duration.ofMinutes(1), false, "ivr"));
    StoredSession consumed = await(store.consume(key)).orElseThrow();
    assertThat(await(store.restore(consumed))).isTrue();
    Response pttl = await(redis.send(Request.cmd(Command.PTTL).arg(store.redisKey(consumed.id()))));
    assertThat(pttl.toLong()).isBetween(1L, 60_000L);
    assertThat(await(store.consume(key))).isPresent();
    StoredSession expired = new StoredSession(consumed.id(), consumed.type(), consumed.redacted(), consumed.value(),
        consumed.createdAt(), java.time.Instant.now().minusSeconds(1), consumed.createdBy());
    assertThat(await(store.restore(expired))).isFalse();
    assertThat(await(store.consume(key))).isEmpty();
  }

  @Test
  @DisplayName("the calls module's acs: keys are validated and stored like any other")
  void callKeys() throws Exception {
    await(store.storeCallKey("441f1200-fd54-422e-9566-a867d187dca7", new JsonObject().put("placedBy", "app"),
        Duration.ofMinutes(10)));
    assertThat(await(store.consume(rules.acs("441f1200-fd54-422e-9566-a867d187dca7")))).isPresent();
    assertThatThrownBy(() -> await(store.storeCallKey("bad id", new JsonObject(), Duration.ofMinutes(1))))
        .isInstanceOf(InvalidSessionKeyException.class);
  }

}
