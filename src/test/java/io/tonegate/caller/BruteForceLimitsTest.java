package io.tonegate.caller;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.config.TonegateConfig;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.ratelimit.RateLimitsConfig;
import io.tonegate.session.SessionConfig;
import io.tonegate.session.SessionStore;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DTMF code brute force against the SHIPPED limits (conf/tonegate.yaml, nothing overridden: rateLimits.perAni
 * 5 per 10 min, caller.maxAttempts 3), with two caller engines standing for two gateway instances: each has its own
 * Vert.x, Redis connections, rate limiter and session store, and they share one Redis (the real one) and one key
 * prefix, as instances behind a load balancer do. The limits must hold at the Redis level, not per process.
 * docs/security.md turns these limits into the expected time to guess a code.
 */
@DisplayName("DTMF brute force under the default limits, across two instances sharing Redis")
class BruteForceLimitsTest {

  private static final String SECRET = "YnJ1dGUtZm9yY2UtdGVzdC1zZWNyZXQtb2YtMzItYnl0ZXMtYXQtbGVhc3Q=";

  private final SecureRandom random = new SecureRandom();
  private final String prefix = "bf" + UUID.randomUUID().toString().substring(0, 8) + ":";
  private Instance a;
  private Instance b;

  /** One gateway instance's caller authentication: its own Vert.x, Redis pool, limiter, store and engine. */
  private final class Instance {
    final Vertx vertx = Vertx.vertx();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Redis redis;
    final SessionStore sessions;
    final CallRecords records;
    final CallerEngine engine;
    final RateLimitsConfig limits;
    final CallerConfig callerConfig;

    Instance() {
      TonegateConfig config = TestGateway.config(
          new JsonObject().put("session", new JsonObject().put("keySecret", SECRET)),
          TestRedis.dataRoot().resolve("bruteforce-" + UUID.randomUUID()));
      redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(TestRedis.shared().url())
          .setMaxPoolSize(8).setMaxPoolWaiting(256));
      SessionConfig sessionConfig = SessionConfig.from(config.root().section("session"), false,
          config.server().dataDir());
      sessions = new SessionStore(redis, prefix, sessionConfig, registry, Clock.systemUTC());
      callerConfig = CallerConfig.from(config.root().section("caller"), sessionConfig);
      limits = RateLimitsConfig.from(config.root().section("rateLimits"));
      records = new CallRecords(redis, prefix);
      engine = new CallerEngine(vertx, callerConfig, sessionConfig.rules(), records,
          new CodeValidator(vertx, sessions, new RateLimiter(redis, prefix, registry), limits,
              callerConfig.redisDeadline(), registry),
          new CallerEvents(redis, prefix + callerConfig.eventsChannel(), registry),
          (id, reason) -> Future.succeededFuture(), registry);
    }

    /** A PSTN call from {@code ani} ringing this instance, its caller session opened on an event loop. */
    Call call(String ani) throws Exception {
      String id = UUID.randomUUID().toString();
      records.createSimulated(new CallInfo(id, "corr-" + id, CallerFlow.PSTN, Optional.of(ani), Optional.empty()),
          "+18005550100", Duration.ofMinutes(5)).await(10, TimeUnit.SECONDS);
      return new Call(this, id);
    }

    double aniRejections() {
      return registry.get("tonegate.ratelimit.rejections").tag("scope", CodeValidator.SCOPE_ANI).counter().count();
    }

    void close() throws Exception {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static final class Call {
    final RecordingMedia media;
    final Context context;
    volatile CallerSession session;

    Call(Instance instance, String id) throws Exception {
      media = new RecordingMedia(id, 16000);
      context = instance.vertx.getOrCreateContext();
      Future.<Void>future(p -> context.runOnContext(v -> {
        session = instance.engine.open(media);
        p.complete();
      })).await(10, TimeUnit.SECONDS);
    }

    void dial(String keys) {
      context.runOnContext(v -> {
        for (char c : keys.toCharArray()) {
          session.digit(c, 0);
        }
      });
    }

    /** The first outcome tone of this call (the outcome of its first attempt). */
    OutcomeTone firstTone() throws InterruptedException {
      List<OutcomeTone> heard = media.awaitTones(1);
      assertThat(heard).as("an outcome tone").isNotEmpty();
      return heard.get(0);
    }
  }

  @BeforeEach
  void start() {
    a = new Instance();
    b = new Instance();
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
  }

  private String uniqueAni() {
    return "+1555" + String.format("%07d", random.nextInt(10_000_000));
  }

  /** A random code of {@code digits} digits that is not {@code avoid}. */
  private String code(int digits, String avoid) {
    String code;
    do {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < digits; i++) {
        s.append((char) ('0' + random.nextInt(10)));
      }
      code = s.toString();
    } while (code.equals(avoid));
    return code;
  }

  private void store(Instance instance, String key) throws Exception {
    instance.sessions.store(instance.sessions.rules().parse(key), new JsonObject().put("who", "victim"),
        Duration.ofMinutes(5), false, "test").await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the shipped defaults are the ones docs/security.md computes with: 5 per number per 10 min, 3 per call")
  void shippedDefaults() {
    assertThat(a.limits.perAni().permits()).isEqualTo(5);
    assertThat(a.limits.perAni().window()).isEqualTo(Duration.ofMinutes(10));
    assertThat(a.limits.perCall().permits()).isEqualTo(10);
    assertThat(a.callerConfig.rules().maxAttempts()).isEqualTo(3);
    assertThat(a.callerConfig.rules().minLength()).isEqualTo(3);
  }

  @Test
  @DisplayName("12 guesses at once from one number, split over two instances: exactly 5 are checked, 7 locked out; then the right code is locked out too and the key survives")
  void concurrentGuessesAcrossInstances() throws Exception {
    String ani = uniqueAni();
    String secret = code(6, null);
    store(a, "pstn:" + ani + ":" + secret);
    double rejectionsBefore = a.aniRejections() + b.aniRejections();

    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      calls.add((i % 2 == 0 ? a : b).call(ani));
    }
    for (Call call : calls) {
      call.dial(code(6, secret) + "#");   // all at once: the limit must hold under the race
    }
    int checked = 0;
    int lockedOut = 0;
    for (Call call : calls) {
      OutcomeTone tone = call.firstTone();
      if (tone == OutcomeTone.TRY_AGAIN) {
        checked++;
      } else if (tone == OutcomeTone.LOCKED_OUT) {
        lockedOut++;
      }
    }
    assertThat(checked).as("guesses checked against Redis").isEqualTo(5);
    assertThat(lockedOut).as("guesses refused by the per-number limit").isEqualTo(7);

    // The attacker now enters the right code, on either instance: still locked out, nothing consumed.
    for (Instance instance : List.of(a, b)) {
      Call withRightCode = instance.call(ani);
      withRightCode.dial(secret + "#");
      assertThat(withRightCode.firstTone()).isEqualTo(OutcomeTone.LOCKED_OUT);
      assertThat(withRightCode.session.state()).isEqualTo(CallerAuthState.LOCKED_OUT);
      assertThat(withRightCode.media.authorized).as("media never authorized").isFalse();
    }
    double rejected = a.aniRejections() + b.aniRejections() - rejectionsBefore;
    assertThat(rejected).as("per-number refusals counted on the instances that refused them").isEqualTo(9);
    assertThat(a.sessions.consume(a.sessions.rules().parse("pstn:" + ani + ":" + secret)).await(10, TimeUnit.SECONDS))
        .as("a locked-out attempt never consumes the key").isPresent();
  }

  @Test
  @DisplayName("one call gets 3 attempts, the next call from the same number on the other instance gets the remaining 2, then locked out")
  void sequentialCallsShareTheBudget() throws Exception {
    String ani = uniqueAni();
    String secret = code(4, null);
    store(b, "pstn:" + ani + ":" + secret);

    Call first = a.call(ani);
    for (int attempt = 1; attempt <= 3; attempt++) {
      int before = first.media.heard.size();
      first.dial(code(4, secret) + "#");
      first.media.awaitTones(before + 1);
    }
    assertThat(first.media.awaitTones(3))
        .containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.TRY_AGAIN, OutcomeTone.REJECTED);

    Call second = b.call(ani);
    second.dial(code(4, secret) + "#");
    assertThat(second.media.awaitTones(1)).containsExactly(OutcomeTone.TRY_AGAIN);        // attempt 4 of 5
    second.dial(code(4, secret) + "#");
    assertThat(second.media.awaitTones(2)).containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.TRY_AGAIN); // 5 of 5
    second.dial(secret + "#");                                                             // 6: refused
    assertThat(second.media.awaitTones(3))
        .containsExactly(OutcomeTone.TRY_AGAIN, OutcomeTone.TRY_AGAIN, OutcomeTone.LOCKED_OUT);
    assertThat(second.media.authorized).isFalse();
  }

  @Test
  @DisplayName("rotating caller numbers gains nothing against one key: the right code from other numbers never matches, and does not use up the victim's budget")
  void rotatingNumbers() throws Exception {
    String victim = uniqueAni();
    String secret = code(6, null);
    store(a, "pstn:" + victim + ":" + secret);
    for (int i = 0; i < 6; i++) {
      Call spoofed = (i % 2 == 0 ? a : b).call(uniqueAni());
      spoofed.dial(secret + "#");
      assertThat(spoofed.firstTone()).as("the right code from another number").isEqualTo(OutcomeTone.TRY_AGAIN);
      assertThat(spoofed.media.authorized).isFalse();
    }
    Call real = b.call(victim);
    real.dial(secret + "#");
    assertThat(real.firstTone()).as("the victim, whose budget the attacker could not spend").isEqualTo(OutcomeTone.ACCEPTED);
    assertThat(real.session.state()).isEqualTo(CallerAuthState.AUTHENTICATED);
  }
}
