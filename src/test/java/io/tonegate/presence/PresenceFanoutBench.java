package io.tonegate.presence;

import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load client for docs/benchmarks.md "Presence fan-out": two gateway instances (each 2 event loops, TLS) on one
 * Redis, {@code bench.subscribers} WebSocket subscribers split evenly over them, each subscribed to
 * {@code bench.perSubscriber} of {@code bench.users} users (every user has the same number of subscribers);
 * {@code bench.rate} changes per second published alternately on the two instances (the in-process publisher: the
 * compare-and-set script and PUBLISH, no HTTP). Measures, from the change's {@code publishedAt} to its arrival at
 * the client: every delivery, and per change the last of its deliveries ("publish to last subscriber"); counts
 * missing and duplicate deliveries. Client, gateways and Redis share the machine. Not part of the normal run:
 *
 * <pre>
 * mvn -B -o test -Dtest=PresenceFanoutBench -Dtonegate.bench=true [-Dbench.subscribers=10000 -Dbench.users=1000
 *     -Dbench.perSubscriber=1 -Dbench.rate=1000 -Dbench.seconds=30]
 * </pre>
 */
@EnabledIfSystemProperty(named = "tonegate.bench", matches = "true")
class PresenceFanoutBench {

  static final int SUBSCRIBERS = Integer.getInteger("bench.subscribers", 10_000);
  static final int USERS = Integer.getInteger("bench.users", 1_000);
  static final int PER_SUBSCRIBER = Integer.getInteger("bench.perSubscriber", 1);
  static final int RATE = Integer.getInteger("bench.rate", 1_000);
  static final int SECONDS = Integer.getInteger("bench.seconds", 30);
  static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 5);
  static final boolean TLS = Boolean.parseBoolean(System.getProperty("bench.tls", "true"));
  private static final String[] STATES = {"Available/Available", "Busy/InACall", "Away/Away", "DoNotDisturb/Presenting"};

  private final Recorder deliveries = new Recorder(60_000, 3);
  private final Histogram lastDelivery = new Histogram(60_000, 3);
  /** (user index, version) -> {deliveries so far, max latency ms}. */
  private final Map<Long, long[]> changes = new ConcurrentHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private volatile long measureFromMs = Long.MAX_VALUE;
  private volatile long measureUntilMs = Long.MAX_VALUE;

  @Test
  @DisplayName("Benchmark: publish-to-delivery latency and throughput of presence fan-out over two instances")
  void bench() throws Exception {
    String prefix = PresenceTesting.newPrefix();
    JsonObject presence = new JsonObject().put("debounceWindow", "0ms")
        .put("subscriber", new JsonObject().put("maxUsersPerConnection", Math.max(PER_SUBSCRIBER, 1000)));
    JsonObject quiet = new JsonObject().put("level", "WARN");
    TestGateway a = TestGateway.start(gatewayConfig(prefix, presence, quiet));
    TestGateway b = TestGateway.start(gatewayConfig(prefix, presence, quiet));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    List<WebSocketClient> clients = new ArrayList<>(); // referenced until the end (Vert.x 5 closes collected clients)
    List<WebSocket> sockets = new ArrayList<>();
    try {
      String token = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ).token();
      int perUser = SUBSCRIBERS * PER_SUBSCRIBER / USERS;
      for (TestGateway gateway : List.of(a, b)) {
        clients.add(vertx.createWebSocketClient((TLS ? gateway.webSocketOptions()
            : new io.vertx.core.http.WebSocketClientOptions().setDefaultHost("localhost").setDefaultPort(gateway.port()))
            .setMaxConnections(SUBSCRIBERS).setConnectTimeout(60_000)));
      }
      long connectStart = System.nanoTime();
      AtomicInteger snapshots = new AtomicInteger();
      for (int from = 0; from < SUBSCRIBERS; from += 200) {
        List<Future<WebSocket>> batch = new ArrayList<>();
        for (int i = from; i < Math.min(SUBSCRIBERS, from + 200); i++) {
          JsonArray users = new JsonArray();
          for (int j = 0; j < PER_SUBSCRIBER; j++) {
            users.add(user(prefix, (i * PER_SUBSCRIBER + j) % USERS));
          }
          WebSocketConnectOptions options = new WebSocketConnectOptions().setURI(PresenceWebSocketEndpoint.PATH)
              .addHeader("Authorization", "Bearer " + token);
          batch.add(clients.get(i % 2).connect(options).onSuccess(ws -> {
            ws.textMessageHandler(text -> onFrame(prefix, text, perUser, snapshots));
            ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("users", users).encode());
          }));
        }
        sockets.addAll(Future.all(batch).await(120, TimeUnit.SECONDS).list());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (snapshots.get() < SUBSCRIBERS * PER_SUBSCRIBER && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      System.out.printf("%d subscribers connected and subscribed (%d snapshots) in %.1f s%n", sockets.size(),
          snapshots.get(), (System.nanoTime() - connectStart) / 1e9);

      PresencePublisher[] publishers = {PresenceTesting.module(a).publisher(), PresenceTesting.module(b).publisher()};
      long start = System.currentTimeMillis();
      measureFromMs = start + WARMUP_SECONDS * 1000L;
      measureUntilMs = measureFromMs + SECONDS * 1000L;
      AtomicLong published = new AtomicLong();
      List<Runnable> stops = new ArrayList<>();
      TestGateway[] gateways = {a, b};
      for (int g = 0; g < 2; g++) {
        // Each instance publishes half of the changes from its own event loop (its own Redis client).
        int instance = g;
        Vertx own = gateways[g].gateway().vertx();
        AtomicLong sent = new AtomicLong();
        long timer = own.setPeriodic(5, id -> {
          long due = (System.currentTimeMillis() - start) * RATE / 2000;
          while (sent.get() < due) {
            long n = sent.getAndIncrement() * 2 + instance;
            int u = (int) (n % USERS);
            String[] state = STATES[(int) ((n / USERS) % STATES.length)].split("/");
            published.incrementAndGet();
            publishers[instance].set(user(prefix, u), "manual", new Presence(state[0], state[1]), 0);
          }
        });
        stops.add(() -> own.cancelTimer(timer));
      }
      Thread.sleep((WARMUP_SECONDS + SECONDS) * 1000L);
      stops.forEach(Runnable::run);
      Thread.sleep(3000); // let the last changes arrive
      report(a, b, perUser, published.get());
    } finally {
      for (WebSocketClient client : clients) {
        client.close().await(30, TimeUnit.SECONDS);
      }
      vertx.close().await(30, TimeUnit.SECONDS);
      a.close();
      b.close();
    }
  }

  private static JsonObject gatewayConfig(String prefix, JsonObject presence, JsonObject logging) {
    return new JsonObject()
        .put("accessKey", PresenceTesting.ACCESS_KEY)
        .put("identity", new JsonObject().put("issuer", "https://tonegate.test/"))
        .put("redis", new JsonObject().put("keyPrefix", prefix))
        .put("tls", new JsonObject().put("enabled", TLS))
        .put("logging", logging)
        .put("presence", presence);
  }

  private static String user(String prefix, int index) {
    return "bench-" + prefix.substring(0, prefix.length() - 1) + "-" + index;
  }

  private void onFrame(String prefix, String text, int perUser, AtomicInteger snapshots) {
    long now = System.currentTimeMillis();
    if (text.startsWith("{\"type\":\"snapshot\"")) {
      snapshots.incrementAndGet();
      return;
    }
    if (!text.startsWith("{\"type\":\"presence\"")) {
      return;
    }
    long publishedAt = number(text, "\"publishedAt\":");
    if (publishedAt < measureFromMs || publishedAt >= measureUntilMs) {
      return;
    }
    long latency = Math.max(0, now - publishedAt);
    deliveries.recordValue(Math.min(latency, 60_000));
    delivered.incrementAndGet();
    String user = string(text, "\"user\":\"");
    long key = Long.parseLong(user.substring(user.lastIndexOf('-') + 1)) * 10_000_000L + number(text, "\"version\":");
    long[] state = changes.computeIfAbsent(key, k -> new long[2]);
    synchronized (state) {
      state[0]++;
      state[1] = Math.max(state[1], latency);
      if (state[0] == perUser) {
        synchronized (lastDelivery) {
          lastDelivery.recordValue(Math.min(state[1], 60_000));
        }
      } else if (state[0] > perUser) {
        duplicates.incrementAndGet();
      }
    }
  }

  private static long number(String text, String field) {
    int at = text.indexOf(field) + field.length();
    int end = at;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return Long.parseLong(text, at, end, 10);
  }

  private static String string(String text, String field) {
    int at = text.indexOf(field) + field.length();
    return text.substring(at, text.indexOf('"', at));
  }

  private void report(TestGateway a, TestGateway b, int perUser, long published) {
    Histogram all = deliveries.getIntervalHistogram();
    long measuredChanges = changes.size();
    long complete = changes.values().stream().filter(s -> s[0] >= perUser).count();
    System.out.println();
    System.out.println("=== Presence fan-out benchmark ===");
    System.out.printf("subscribers %d over 2 instances (TLS %s), users %d, %d per subscriber -> %d subscribers per user%n",
        SUBSCRIBERS, TLS, USERS, PER_SUBSCRIBER, perUser);
    System.out.printf("rate %d changes/s for %d s (after %d s warm-up); published in total %d%n", RATE, SECONDS,
        WARMUP_SECONDS, published);
    System.out.printf("measured changes %d, complete (all %d deliveries) %d, incomplete %d, duplicate deliveries %d%n",
        measuredChanges, perUser, complete, measuredChanges - complete, duplicates.get());
    System.out.printf("deliveries %d = %.0f/s%n", delivered.get(), delivered.get() / (double) SECONDS);
    System.out.printf("per delivery  (ms): p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n", all.getValueAtPercentile(50),
        all.getValueAtPercentile(90), all.getValueAtPercentile(99), all.getValueAtPercentile(99.9), all.getMaxValue());
    System.out.printf("last delivery (ms): p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n",
        lastDelivery.getValueAtPercentile(50), lastDelivery.getValueAtPercentile(90),
        lastDelivery.getValueAtPercentile(99), lastDelivery.getValueAtPercentile(99.9), lastDelivery.getMaxValue());
    for (TestGateway gateway : List.of(a, b)) {
      var registry = gateway.gateway().context().registry();
      System.out.printf("gateway %d: coalesced %.0f, slow-closed %.0f, subscribers %.0f%n", gateway.port(),
          registry.find("tonegate.presence.coalesced").counter().count(),
          registry.find("tonegate.presence.slow.closed").counter().count(),
          registry.find("tonegate.presence.subscribers").gauge().value());
    }
  }
}
