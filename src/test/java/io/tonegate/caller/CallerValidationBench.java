package io.tonegate.caller;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.config.TonegateConfig;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.ratelimit.RateLimitsConfig;
import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.session.SessionConfig;
import io.tonegate.session.SessionStore;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark for docs/benchmarks.md "Caller authentication": validations at a fixed rate (open loop) through the real
 * engine (state machine, validator, rate-limit and consume scripts, tones, events) on real Redis, with media in
 * memory. Each validation is a new call: its record and key are stored first; the call opens, the caller dials
 * {@code 823} and {@code #}; latency runs from the {@code #} (the end of the tone) to the decision, taken where the
 * outcome tone is handed to the media session. Redis commands per validation come from {@code INFO commandstats}.
 * Not part of the normal test run:
 *
 * <pre>
 * mvn -B -o test -Dtest=CallerValidationBench -Dtonegate.bench=true [-Dbench.rate=1000 -Dbench.seconds=30]
 * </pre>
 */
@EnabledIfSystemProperty(named = "tonegate.bench", matches = "true")
class CallerValidationBench {

  static final int RATE = Integer.getInteger("bench.rate", 1000);
  static final int SECONDS = Integer.getInteger("bench.seconds", 30);
  static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 5);
  static final int EVENT_LOOPS = Integer.getInteger("bench.eventLoops", 2);
  static final String SECRET = "YmVuY2htYXJrLXNlY3JldC1mb3ItY2FsbGVyLXZhbGlkYXRpb24tMzI=";

  @Test
  @DisplayName("Benchmark: '#' to decision latency and Redis round trips per validation at a fixed rate")
  void bench() throws Exception {
    // One INFO line per decision is the production default; the benchmark measures the engine, not the console.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.tonegate"))
        .setLevel(ch.qos.logback.classic.Level.toLevel(System.getProperty("bench.log", "WARN")));
    EmbeddedRedis server = TestRedis.startDedicated();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
    try {
      TonegateConfig config = TestGateway.config(new JsonObject()
              .put("session", new JsonObject().put("keySecret", SECRET))
              .put("rateLimits", new JsonObject().put("validationsPerSecond", RATE * 2)),
          TestRedis.dataRoot().resolve("bench-" + UUID.randomUUID()));
      Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url())
          .setMaxPoolSize(16).setMaxPoolWaiting(4096).setMaxWaitingHandlers(8192));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      SessionConfig sessionConfig = SessionConfig.from(config.root().section("session"), false,
          config.server().dataDir());
      String prefix = "bench:";
      SessionStore sessions = new SessionStore(redis, prefix, sessionConfig, registry, Clock.systemUTC());
      CallerConfig callerConfig = CallerConfig.from(config.root().section("caller"), sessionConfig);
      RateLimitsConfig limits = RateLimitsConfig.from(config.root().section("rateLimits"));
      CallRecords records = new CallRecords(redis, prefix);
      CallerEngine engine = new CallerEngine(vertx, callerConfig, sessionConfig.rules(), records,
          new CodeValidator(vertx, sessions, new RateLimiter(redis, prefix, registry), limits,
              callerConfig.redisDeadline(), registry),
          new CallerEvents(redis, prefix + "call-events", registry), CallTerminator.NONE, registry);

      int total = RATE * (WARMUP_SECONDS + SECONDS);
      System.out.printf("preparing %,d calls (record + key each)...%n", total);
      List<String> ids = prepare(records, sessions, total);
      Context[] loops = new Context[EVENT_LOOPS];
      for (int i = 0; i < EVENT_LOOPS; i++) {
        loops[i] = vertx.getOrCreateContext();
      }

      long[] latencies = new long[total];
      Arrays.fill(latencies, -1);
      OutcomeTone[] outcomes = new OutcomeTone[total];
      CountDownLatch done = new CountDownLatch(total);
      ConcurrentLinkedQueue<CallerSession> open = new ConcurrentLinkedQueue<>();
      Map<String, Long> before = null;
      long engineCountBefore = 0;
      double engineTotalBefore = 0;
      long intervalNanos = 1_000_000_000L / RATE;
      long start = System.nanoTime();
      long late = 0;
      for (int i = 0; i < total; i++) {
        if (i == RATE * WARMUP_SECONDS) {
          before = commandStats(redis);
          engineCountBefore = registry.get("tonegate.caller.decision.latency").tag("flow", "pstn").timer().count();
          engineTotalBefore = registry.get("tonegate.caller.decision.latency").tag("flow", "pstn").timer()
              .totalTime(TimeUnit.MILLISECONDS);
        }
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else if (wait < -5_000_000) {
          late++;
        }
        int index = i;
        Context loop = loops[i % EVENT_LOOPS];
        loop.runOnContext(v -> {
          long[] hashAt = new long[1];
          CallerMedia media = new BenchMedia(ids.get(index), tone -> {
            if (tone != OutcomeTone.TRY_AGAIN || hashAt[0] != 0) {
              latencies[index] = hashAt[0] == 0 ? -1 : System.nanoTime() - hashAt[0];
              outcomes[index] = tone;
              done.countDown();
            }
          });
          CallerSession session = engine.open(media);
          open.add(session);
          // The record is read at open; the caller dials once the prompt would have played.
          vertx.setTimer(20, t -> {
            session.digit('8', 0);
            session.digit('2', 0);
            session.digit('3', 0);
            hashAt[0] = System.nanoTime();
            session.digit('#', hashAt[0]);
          });
        });
      }
      boolean finished = done.await(60, TimeUnit.SECONDS);
      Map<String, Long> after = commandStats(redis);
      double seconds = (System.nanoTime() - start) / 1e9;
      for (CallerSession s : open) {
        s.digit('x', 0); // no-op after the decision; keeps the reference until here
      }

      long[] measured = Arrays.stream(latencies, RATE * WARMUP_SECONDS, total).filter(l -> l >= 0).sorted()
          .toArray();
      System.out.printf("%n=== caller validation: %d/s target, %d s measured after %d s warm-up, %d event loops ===%n",
          RATE, SECONDS, WARMUP_SECONDS, EVENT_LOOPS);
      System.out.printf("finished=%s, achieved %.0f calls/s overall, pacing misses (>5 ms late): %d%n", finished,
          total / seconds, late);
      System.out.printf("outcomes, warm-up: %s%n", count(outcomes, 0, RATE * WARMUP_SECONDS));
      System.out.printf("outcomes, measured: %s%n", count(outcomes, RATE * WARMUP_SECONDS, total));
      System.out.printf("'#' to decision over %,d validations: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
              + " max %.2f ms%n", measured.length, pct(measured, 50), pct(measured, 90), pct(measured, 99),
          pct(measured, 99.9), measured.length == 0 ? 0 : measured[measured.length - 1] / 1e6);
      long validations = measured.length;
      System.out.println("Redis commands per call in the measured window (INFO commandstats):");
      long perCallTotal = 0;
      for (String command : after.keySet()) {
        long delta = after.get(command) - (before == null ? 0 : before.getOrDefault(command, 0L));
        if (delta > 0 && !command.equals("info")) {
          System.out.printf("  %-10s %.2f%n", command, delta / (double) validations);
          perCallTotal += delta;
        }
      }
      System.out.printf("  total      %.2f%n", perCallTotal / (double) validations);
      io.micrometer.core.instrument.Timer engineTimer = registry.get("tonegate.caller.decision.latency").tag("flow", "pstn").timer();
      long engineCount = engineTimer.count() - engineCountBefore;
      System.out.printf("engine meter tonegate.caller.decision.latency in the measured window: %d decisions, mean"
          + " %.2f ms%n", engineCount, (engineTimer.totalTime(TimeUnit.MILLISECONDS) - engineTotalBefore)
          / Math.max(1, engineCount));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      server.stop();
    }
  }

  private static List<String> prepare(CallRecords records, SessionStore sessions, int total) throws Exception {
    List<String> ids = new ArrayList<>(total);
    for (int from = 0; from < total; from += 1000) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(total, from + 1000); i++) {
        String id = "bench-" + i;
        String ani = String.format("+1555%07d", i);
        ids.add(id);
        batch.add(records.createSimulated(new CallInfo(id, "corr-" + i, CallerFlow.PSTN, Optional.of(ani),
            Optional.empty()), "+18005550100", Duration.ofMinutes(30)));
        batch.add(sessions.store(sessions.rules().pstn(ani, "823"), new JsonObject().put("who", "bench-" + i),
            Duration.ofMinutes(30), true, "bench"));
      }
      Future.all(batch).await(60, TimeUnit.SECONDS);
    }
    return ids;
  }

  private static Map<String, Long> commandStats(Redis redis) throws Exception {
    String info = redis.send(Request.cmd(Command.INFO).arg("commandstats")).await(10, TimeUnit.SECONDS).toString();
    Map<String, Long> calls = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String count = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
        calls.put(name, Long.parseLong(count));
      }
    }
    return calls;
  }

  private static Map<OutcomeTone, Integer> count(OutcomeTone[] outcomes, int from, int to) {
    Map<OutcomeTone, Integer> counts = new java.util.TreeMap<>();
    for (int i = from; i < to; i++) {
      if (outcomes[i] != null) {
        counts.merge(outcomes[i], 1, Integer::sum);
      }
    }
    return counts;
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** Media in memory: reports which outcome tone was played (known by identity of the rendered PCM). */
  private static final class BenchMedia implements CallerMedia {
    private final String id;
    private final java.util.function.Consumer<OutcomeTone> played;
    private static final Map<Integer, OutcomeTone> BY_LENGTH_AND_HASH = new HashMap<>();

    static {
      for (OutcomeTone tone : OutcomeTone.values()) {
        BY_LENGTH_AND_HASH.put(Arrays.hashCode(tone.pcm(16000)), tone);
      }
    }

    BenchMedia(String id, java.util.function.Consumer<OutcomeTone> played) {
      this.id = id;
      this.played = played;
    }

    @Override
    public String callConnectionId() {
      return id;
    }

    @Override
    public String correlationId() {
      return "corr-" + id;
    }

    @Override
    public int sampleRate() {
      return 16000;
    }

    @Override
    public void play(byte[] pcm) {
      played.accept(BY_LENGTH_AND_HASH.get(Arrays.hashCode(pcm)));
    }

    @Override
    public void stopAudio() {
    }

    @Override
    public void authorize() {
    }
  }
}
