package io.tonegate.gateway;

import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GracefulShutdownTest {

  /** A probe module: an echo WebSocket and a route that answers after 700 ms (an in-flight request at shutdown). */
  private static final class ProbeModule implements GatewayModule {
    final CompletableFuture<Void> slowRequestArrived = new CompletableFuture<>();

    @Override
    public void mount(Router router, Vertx vertx) {
      router.get("/probe/slow").handler(rc -> {
        slowRequestArrived.complete(null);
        vertx.setTimer(700, id -> rc.response().end("done"));
      });
    }

    @Override
    public List<WebSocketEndpoint> webSocketEndpoints() {
      return List.of(new WebSocketEndpoint() {
        @Override
        public String path() {
          return "/ws/probe";
        }

        @Override
        public Future<Consumer<ServerWebSocket>> admit(io.vertx.core.http.ServerWebSocketHandshake handshake) {
          return Future.succeededFuture(socket -> socket.handler(socket::write));
        }
      });
    }
  }

  @Test
  @DisplayName("shutdown closes WebSockets with 1001, lets in-flight requests finish, then refuses connections")
  void gracefulShutdown() throws Exception {
    Vertx vertx = Vertx.vertx();
    ProbeModule probe = new ProbeModule();
    TestGateway gateway = TestGateway.start(new JsonObject(), ctx -> List.of(probe));
    try {
      // Keep the client referenced: Vert.x 5 shuts down a garbage-collected client, handshakes included (vert.x#5839).
      WebSocketClient webSocketClient = vertx.createWebSocketClient(gateway.webSocketOptions());
      WebSocket socket = webSocketClient
          .connect(new WebSocketConnectOptions().setURI("/ws/probe")).await(10, TimeUnit.SECONDS);
      Promise<Short> closeStatus = Promise.promise();
      socket.closeHandler(v -> closeStatus.tryComplete(socket.closeStatusCode()));
      Promise<Buffer> echo = Promise.promise();
      socket.handler(echo::tryComplete);
      socket.write(Buffer.buffer("ping"));
      assertThat(echo.future().await(10, TimeUnit.SECONDS).toString()).isEqualTo("ping");

      WebClient client = gateway.webClient(vertx);
      Future<HttpResponse<Buffer>> inFlight = client.get("/probe/slow").send();
      probe.slowRequestArrived.get(10, TimeUnit.SECONDS); // the request is now being served

      CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);

      assertThat(closeStatus.future().await(10, TimeUnit.SECONDS)).isEqualTo((short) 1001);
      HttpResponse<Buffer> slow = inFlight.await(10, TimeUnit.SECONDS);
      assertThat(slow.statusCode()).isEqualTo(200);
      assertThat(slow.bodyAsString()).isEqualTo("done");
      closing.get(30, TimeUnit.SECONDS);

      assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("localhost", gateway.port()), 1000))
          .isInstanceOf(java.io.IOException.class);
    } finally {
      gateway.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("an upgrade on a path no module serves is refused with 404, never opened")
  void unknownWebSocketPath() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start()) {
      assertThat(gateway.upgradeStatus(vertx, "/ws/nothing-here", io.vertx.core.MultiMap.caseInsensitiveMultiMap()))
          .isEqualTo(404);
      assertThat(gateway.upgradeStatus(vertx, "/ws/probe", io.vertx.core.MultiMap.caseInsensitiveMultiMap()))
          .isEqualTo(404);
    } finally {
      vertx.close();
    }
  }

  @Test
  @DisplayName("with no Redis configured the gateway runs its own redis-server and stops it on shutdown")
  void embeddedRedisLifecycle() throws Exception {
    TestGateway gateway = TestGateway.start(new JsonObject().put("redis", new JsonObject().put("url", "")));
    int redisPort;
    try {
      assertThat(gateway.gateway().embeddedRedis()).isPresent();
      redisPort = gateway.gateway().embeddedRedis().get().port();
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", redisPort), 1000);
      }
      assertThat(gateway.gateway().embeddedRedis().get().dataDir().resolve("appendonly.aof")).exists();
    } finally {
      gateway.close();
    }
    assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", redisPort), 1000))
        .isInstanceOf(java.io.IOException.class);
  }
}
