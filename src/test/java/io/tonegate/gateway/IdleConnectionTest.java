package io.tonegate.gateway;

import com.sun.management.UnixOperatingSystemMXBean;
import io.tonegate.testing.HostileHttp;
import io.tonegate.testing.RawHttps;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections that do nothing: silent TLS sockets, quiet WebSockets, peers that stop reading, and a thousand idle
 * sockets at once. {@code http.idleTimeout} is 2 s here so the test runs in seconds; production uses 60 s.
 */
@DisplayName("idle and stuck connections")
class IdleConnectionTest {

  private static final long IDLE_MS = 2_000;
  private static final int IDLE_SOCKETS = 1_000;

  /** A WebSocket endpoint for the test: echoes text, counts opens and server-side closes. */
  static final class EchoModule implements GatewayModule, WebSocketEndpoint {
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public List<WebSocketEndpoint> webSocketEndpoints() {
      return List.of(this);
    }

    @Override
    public String path() {
      return "/ws/test-echo";
    }

    @Override
    public Future<Consumer<ServerWebSocket>> admit(ServerWebSocketHandshake handshake) {
      return Future.succeededFuture(socket -> {
        open.incrementAndGet();
        socket.textMessageHandler(socket::writeTextMessage);
        socket.closeHandler(v -> closed.incrementAndGet());
      });
    }
  }

  private static final EchoModule ECHO = new EchoModule();
  private static TestGateway gateway;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(new JsonObject().put("http", new JsonObject().put("idleTimeout", IDLE_MS + "ms")),
        ctx -> List.of(ECHO));
    vertx = Vertx.vertx();
    client = gateway.webClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  @Test
  @DisplayName("a TLS connection that never sends a request is closed after http.idleTimeout")
  void silentConnectionClosed() throws Exception {
    try (SSLSocket socket = RawHttps.to(gateway).open((int) (IDLE_MS * 5))) {
      long start = System.nanoTime();
      RawHttps.Answer answer = RawHttps.readHead(socket.getInputStream());
      assertThat(answer.timedOut()).as("still open after %d ms", IDLE_MS * 5).isFalse();
      assertThat(answer.closed()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE_MS - 200);
    }
  }

  @Test
  @DisplayName("a quiet WebSocket whose peer answers the gateway's pings stays open well past http.idleTimeout")
  void quietWebSocketKeptAlive() throws Exception {
    WebSocketClient wsClient = vertx.createWebSocketClient(gateway.webSocketOptions());
    WebSocket ws = wsClient.connect("/ws/test-echo").await(10, TimeUnit.SECONDS);
    Thread.sleep(IDLE_MS * 3);
    assertThat(ws.isClosed()).isFalse();
    var echoed = io.vertx.core.Promise.<String>promise();
    ws.textMessageHandler(echoed::tryComplete);
    ws.writeTextMessage("still here");
    assertThat(echoed.future().await(10, TimeUnit.SECONDS)).isEqualTo("still here");
    ws.close().await(10, TimeUnit.SECONDS);
    wsClient.close();
  }

  @Test
  @DisplayName("a WebSocket peer that stops reading (answers no pings) is closed by the gateway")
  void stuckWebSocketClosed() throws Exception {
    int closedBefore = ECHO.closed.get();
    int openBefore = ECHO.open.get();
    // A raw peer: completes the upgrade, then never reads or writes again (no pongs), like a hung client.
    try (SSLSocket socket = RawHttps.to(gateway).open((int) (IDLE_MS * 5))) {
      socket.getOutputStream().write(("GET /ws/test-echo HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThat(RawHttps.readHead(socket.getInputStream()).status()).isEqualTo(101);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDLE_MS * 5);
      while (ECHO.closed.get() == closedBefore && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    assertThat(ECHO.open.get()).isEqualTo(openBefore + 1);
    assertThat(ECHO.closed.get()).as("server-side closes").isEqualTo(closedBefore + 1);
  }

  @Test
  @DisplayName("a thousand idle TLS sockets held open: others are served meanwhile, memory per socket is bounded, and the gateway releases them")
  void thousandIdleSockets() throws Exception {
    long fdLimit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getMaxFileDescriptorCount();
    assertThat(fdLimit).as("open-file limit (raise it with ulimit -n; both ends of %d sockets live in this JVM)",
        IDLE_SOCKETS).isGreaterThanOrEqualTo(IDLE_SOCKETS * 2 + 500L);
    // Its own gateway with an idle timeout longer than opening a thousand TLS sockets takes, so all are open at once.
    try (TestGateway patient = TestGateway.start(new JsonObject()
        .put("http", new JsonObject().put("idleTimeout", "30s")))) {
      WebClient patientClient = patient.webClient(vertx);
      RawHttps raw = RawHttps.to(patient);
      long heapBefore = HostileHttp.usedHeapMib();
      List<SSLSocket> sockets = new ArrayList<>();
      try {
        long start = System.nanoTime();
        for (int i = 0; i < IDLE_SOCKETS; i++) {
          sockets.add(raw.open(10_000));
        }
        long openedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long heapWith = HostileHttp.usedHeapMib();
        // others are unaffected: a normal client is served while the thousand sockets are held
        assertThat(patientClient.get("/health").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(patientClient.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        long perSocketKib = Math.max(0, (heapWith - heapBefore) * 1024 / IDLE_SOCKETS);
        System.out.printf("[resilience] %d idle TLS sockets opened in %d ms; heap after GC %d -> %d MiB "
            + "(~%d KiB per socket, client and server side in this JVM)%n", IDLE_SOCKETS, openedMs, heapBefore,
            heapWith, perSocketKib);
        assertThat(perSocketKib).as("heap per idle socket (KiB, client and server side)").isLessThan(256);
        assertThat(activeConnections(patient)).as("connections the gateway holds").isGreaterThanOrEqualTo(IDLE_SOCKETS);
      } finally {
        for (SSLSocket socket : sockets) {
          socket.close();
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (activeConnections(patient) > 5 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(activeConnections(patient)).as("connections still held after the peers left").isLessThanOrEqualTo(5);
      assertThat(patientClient.get("/health").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  /** Established TCP connections on the gateway's port, server side (Linux /proc/net/tcp{,6}). */
  private static long activeConnections(TestGateway gw) throws java.io.IOException {
    String localPort = String.format(":%04X ", gw.port());
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      java.nio.file.Path path = java.nio.file.Path.of(table);
      if (!java.nio.file.Files.exists(path)) {
        continue;
      }
      for (String line : java.nio.file.Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address:port, f[3] state (01 = ESTABLISHED)
        if (f.length > 3 && (f[1] + " ").endsWith(localPort) && "01".equals(f[3])) {
          count++;
        }
      }
    }
    return count;
  }

}
