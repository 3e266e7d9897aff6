package io.tonegate.security;

import io.tonegate.testing.RawHttps;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand sockets that never do anything: half never even start TLS (a TCP connect, then silence), half finish
 * the TLS handshake and never send a request. The gateway must close every one of them itself (idle and handshake
 * timeouts: the test never closes them), hold no connection for them afterwards, and keep serving a presence
 * subscriber and API clients throughout. Asserted on what each socket observes (closed by the peer) and on the
 * gateway's established-connection count, never on time; the heap cost per socket is measured in
 * docs/resilience.md, not here.
 */
@DisplayName("a thousand idle sockets: closed by the gateway's timeouts, nothing held, others served")
class IdleSocketFloodTest {

  private static final int SILENT_TCP = 500;
  private static final int SILENT_TLS = 500;

  @Test
  @DisplayName("500 TCP sockets that never start TLS and 500 TLS sockets that never send a request are all closed by the gateway; a subscriber and API clients are served meanwhile")
  void thousandIdleSockets() throws Exception {
    Vertx vertx = Vertx.vertx();
    JsonObject config = new JsonObject().put("accessKey", SecurityTesting.ACCESS_KEY)
        .put("redis", new JsonObject().put("keyPrefix", "fl" + UUID.randomUUID().toString().substring(0, 8) + ":"))
        .put("http", new JsonObject().put("idleTimeout", "5s"));
    try (TestGateway gateway = TestGateway.start(config)) {
      WebClient web = gateway.webClient(vertx);
      // The bystanders: a presence subscriber (it answers the gateway's pings) watching a user an API client sets.
      SecurityTesting.Identity subscriber = SecurityTesting.newIdentity(web, gateway, "presence.read");
      WebSocketClient wsClient = vertx.createWebSocketClient(gateway.webSocketOptions());
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setURI("/ws/presence")
          .addHeader("Authorization", "Bearer " + subscriber.token())).await(10, TimeUnit.SECONDS);
      ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
      ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", "s1")
          .put("users", new JsonArray().add(subscriber.id())).put("versions", new JsonObject()).encode()).await(10, TimeUnit.SECONDS);
      awaitFrame(frames, f -> "subscribed".equals(f.getString("type")));

      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < SILENT_TCP; i++) {
          Socket socket = new Socket();
          socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
          socket.setSoTimeout(120_000);   // an upper bound for the read below, never an expectation
          idle.add(socket);
        }
        RawHttps tls = RawHttps.to(gateway);
        for (int i = 0; i < SILENT_TLS; i++) {
          idle.add(tls.open(120_000));
        }

        // Others are served during the flood: an API write reaches the subscriber, health answers.
        assertThat(web.get("/health").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        String path = "/api/presence/" + SecurityTesting.encode(subscriber.id());
        String body = new JsonObject().put("availability", "Busy").put("activity", "InACall").encode();
        HttpResponse<Buffer> put = SecurityTesting.signed(web.request(HttpMethod.PUT, path), "PUT", path, body)
            .sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
        awaitFrame(frames, f -> "presence".equals(f.getString("type")) && "Busy".equals(f.getString("availability")));

        // Every idle socket is closed by the gateway: each read ends (EOF or reset), none waits for its timeout.
        int closedByGateway = 0;
        for (Socket socket : idle) {
          try {
            int read = socket.getInputStream().read();
            assertThat(read).as("an idle socket received data").isEqualTo(-1);
            closedByGateway++;
          } catch (SocketTimeoutException e) {
            throw new AssertionError("an idle socket was still open after 120 s", e);
          } catch (IOException e) {
            closedByGateway++;   // reset, or the TLS layer reporting the close
          }
        }
        assertThat(closedByGateway).isEqualTo(SILENT_TCP + SILENT_TLS);
      } finally {
        for (Socket socket : idle) {
          socket.close();
        }
      }
      // Nothing is held for them: only the subscriber's and the API client's connections remain established.
      web.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (establishedOn(gateway.port()) > 1 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(establishedOn(gateway.port())).as("connections the gateway still holds").isLessThanOrEqualTo(1);
      assertThat(ws.isClosed()).as("the subscriber survived the flood").isFalse();
      ws.close().await(10, TimeUnit.SECONDS);
      wsClient.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitFrame(List<JsonObject> frames, java.util.function.Predicate<JsonObject> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (frames.stream().noneMatch(match)) {
      assertThat(System.nanoTime()).as("no matching frame; got %s", frames).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** Established TCP connections whose local port is the gateway's (server side), from /proc/net/tcp{,6}. */
  private static long establishedOn(int port) throws IOException {
    String localPort = String.format(":%04X ", port);
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && (f[1] + " ").endsWith(localPort) && "01".equals(f[3])) {
          count++;
        }
      }
    }
    return count;
  }
}
