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

import java.nio.file.Files;
import java.nio.file.Path;
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
  static final int CONNECT_BATCH = Integer.getInteger("bench.connectBatch", 50);
  static final boolean TLS = Boolean.parseBoolean(System.getProperty("bench.tls", "true"));
  private static final String[] STATES = {"Available/Available", "Busy/InACall", "Away/Away", "DoNotDisturb/Presenting"};

  private final Recorder deliveries = new Recorder(60_000, 3);
  private final Histogram lastDelivery = new Histogram(60_000, 3);
  /** (user index, version) -> {deliveries so far, max latency ms}. */
  private final Map<Long, long[]> changes = new ConcurrentHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong connectRetries = new AtomicLong();
  private volatile long measureFromMs = Long.MAX_VALUE;
  private volatile long measureUntilMs = Long.MAX_VALUE;

  /**
   * Two processes, for 10,000 subscribers (one process may hold only 20,000 sockets here): the gateways and the
   * publisher in one JVM, the subscribers in another, coordinated through files in {@code target/presence-bench}.
   * {@code java -cp <test classpath> io.tonegate.presence.PresenceFanoutBench server|client}.
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(System.getProperty("tonegate.basedir", "."), "target", "presence-bench");
    if (args.length == 1 && args[0].equals("server")) {
      new PresenceFanoutBench().server(dir);
    } else if (args.length == 1 && args[0].equals("client")) {
      new PresenceFanoutBench().client(dir);
    } else {
      System.err.println("usage: PresenceFanoutBench server|client");
      System.exit(2);
    }
    System.exit(0);
  }

  private void server(Path dir) throws Exception {
    Files.createDirectories(dir);
    try (var files = Files.list(dir)) {
      files.forEach(f -> f.toFile().delete());
    }
    String prefix = PresenceTesting.newPrefix();
    JsonObject presence = new JsonObject().put("debounceWindow", "0ms")
        .put("subscriber", new JsonObject().put("maxUsersPerConnection", Math.max(PER_SUBSCRIBER, 1000)));
    JsonObject quiet = new JsonObject().put("level", "WARN");
    TestGateway a = TestGateway.start(gatewayConfig(prefix, presence, quiet));
    TestGateway b = TestGateway.start(gatewayConfig(prefix, presence, quiet));
    Vertx vertx = Vertx.vertx();
    try {
      String token = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ).token();
      Files.writeString(dir.resolve("setup.json"), new JsonObject().put("prefix", prefix).put("token", token)
          .put("ports", new JsonArray().add(a.port()).add(b.port()))
          .put("certs", new JsonArray().add(a.certPath().toString()).add(b.certPath().toString())).encode());
      System.out.println("gateways on " + a.port() + " and " + b.port() + "; waiting for the client");
      waitFor(dir.resolve("client-ready"), 600);
      long published = publish(a, b, prefix, System.currentTimeMillis());
      Files.writeString(dir.resolve("server-done"), Long.toString(published));
      waitFor(dir.resolve("client-done"), 120);
      printGatewayMeters(a, b, published);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      a.close();
      b.close();
    }
  }

  private void client(Path dir) throws Exception {
    waitFor(dir.resolve("setup.json"), 300);
    JsonObject setup = new JsonObject(Files.readString(dir.resolve("setup.json")));
    String prefix = setup.getString("prefix");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    List<WebSocketClient> clients = new ArrayList<>(); // referenced until the end (Vert.x 5 closes collected clients)
    try {
      for (int g = 0; g < 2; g++) {
        io.vertx.core.http.WebSocketClientOptions options = new io.vertx.core.http.WebSocketClientOptions()
            .setDefaultHost("localhost").setDefaultPort(setup.getJsonArray("ports").getInteger(g))
            .setMaxConnections(SUBSCRIBERS).setConnectTimeout(60_000);
        if (TLS) {
          options.setSsl(true).setTrustOptions(new io.vertx.core.net.PemTrustOptions()
              .addCertPath(setup.getJsonArray("certs").getString(g)));
        }
        clients.add(vertx.createWebSocketClient(options));
      }
      int perUser = connectAll(clients, setup.getString("token"), prefix);
      long ready = System.currentTimeMillis();
      measureFromMs = ready + WARMUP_SECONDS * 1000L;
      measureUntilMs = measureFromMs + SECONDS * 1000L;
      Files.writeString(dir.resolve("client-ready"), Long.toString(ready));
      waitFor(dir.resolve("server-done"), WARMUP_SECONDS + SECONDS + 120);
      Thread.sleep(3000); // let the last changes arrive
      report(perUser, Long.parseLong(Files.readString(dir.resolve("server-done")).trim()));
      Files.writeString(dir.resolve("client-done"), "1");
    } finally {
      for (WebSocketClient client : clients) {
        client.close().await(60, TimeUnit.SECONDS);
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static void waitFor(Path file, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + file);
      }
      Thread.sleep(100);
    }
  }

  /** Connects and subscribes every subscriber, waits for all snapshots; returns subscribers per user. */
  private int connectAll(List<WebSocketClient> clients, String token, String prefix) throws Exception {
    int perUser = SUBSCRIBERS * PER_SUBSCRIBER / USERS;
    long connectStart = System.nanoTime();
    AtomicInteger snapshots = new AtomicInteger();
    int connected = 0;
    for (int from = 0; from < SUBSCRIBERS; from += CONNECT_BATCH) {
      List<Future<WebSocket>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(SUBSCRIBERS, from + CONNECT_BATCH); i++) {
        JsonArray users = new JsonArray();
        for (int j = 0; j < PER_SUBSCRIBER; j++) {
          users.add(user(prefix, (i * PER_SUBSCRIBER + j) % USERS));
        }
        batch.add(connectOne(clients.get(i % 2), token, users, perUser, snapshots, 3));
      }
      connected += Future.all(batch).await(120, TimeUnit.SECONDS).size();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (snapshots.get() < SUBSCRIBERS * PER_SUBSCRIBER && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    System.out.printf("%d subscribers connected and subscribed (%d snapshots, %d connect retries) in %.1f s%n",
        connected, snapshots.get(), connectRetries.get(), (System.nanoTime() - connectStart) / 1e9);
    return perUser;
  }

  private Future<WebSocket> connectOne(WebSocketClient client, String token, JsonArray users, int perUser,
                                       AtomicInteger snapshots, int attempts) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setURI(PresenceWebSocketEndpoint.PATH)
        .addHeader("Authorization", "Bearer " + token);
    return client.connect(options).<WebSocket>map(ws -> {
      ws.textMessageHandler(text -> onFrame(text, perUser, snapshots));
      ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("users", users).encode());
      return ws;
    }).recover(error -> {
      connectRetries.incrementAndGet();
      return attempts > 1 ? connectOne(client, token, users, perUser, snapshots, attempts - 1)
          : Future.failedFuture(error);
    });
  }

  /** Publishes RATE changes/s for warm-up + measured seconds, half from each instance's own event loop. */
  private long publish(TestGateway a, TestGateway b, String prefix, long start) throws InterruptedException {
    PresencePublisher[] publishers = {PresenceTesting.module(a).publisher(), PresenceTesting.module(b).publisher()};
    AtomicLong published = new AtomicLong();
    List<Runnable> stops = new ArrayList<>();
    TestGateway[] gateways = {a, b};
    for (int g = 0; g < 2; g++) {
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
    return published.get();
  }

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
    try {
      String token = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ).token();
      for (TestGateway gateway : List.of(a, b)) {
        clients.add(vertx.createWebSocketClient((TLS ? gateway.webSocketOptions()
            : new io.vertx.core.http.WebSocketClientOptions().setDefaultHost("localhost").setDefaultPort(gateway.port()))
            .setMaxConnections(SUBSCRIBERS).setConnectTimeout(60_000)));
      }
      int perUser = connectAll(clients, token, prefix);
      long start = System.currentTimeMillis();
      measureFromMs = start + WARMUP_SECONDS * 1000L;
      measureUntilMs = measureFromMs + SECONDS * 1000L;
      long published = publish(a, b, prefix, start);
      Thread.sleep(3000); // let the last changes arrive
      report(perUser, published);
      printGatewayMeters(a, b, published);
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

  private void onFrame(String text, int perUser, AtomicInteger snapshots) {
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

  private void report(int perUser, long published) {
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
  }

  private static void printGatewayMeters(TestGateway a, TestGateway b, long published) {
    System.out.printf("published %d%n", published);
    for (TestGateway gateway : List.of(a, b)) {
      var registry = gateway.gateway().context().registry();
      System.out.printf("gateway %d: coalesced %.0f, slow-closed %.0f, subscribers %.0f%n", gateway.port(),
          registry.find("tonegate.presence.coalesced").counter().count(),
          registry.find("tonegate.presence.slow.closed").counter().count(),
          registry.find("tonegate.presence.subscribers").gauge().value());
    }
  }
}
