package io.tonegate.presence;

import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A /ws/presence subscriber for tests: records every frame. Holds its WebSocketClient for its whole life (a Vert.x 5
 * client that is garbage-collected closes its connections).
 */
final class PresenceClient implements AutoCloseable {

  final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final WebSocketClient client;
  private final WebSocket socket;
  volatile Short closeStatus;
  private volatile boolean closeHandled;

  private PresenceClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.closeHandler(v -> {
      closeStatus = socket.closeStatusCode();
      closeHandled = true;
    });
  }

  static PresenceClient connect(Vertx vertx, TestGateway gateway, String token, String group) throws Exception {
    return connect(vertx, gateway, gateway.webSocketOptions(), token, group);
  }

  static PresenceClient connect(Vertx vertx, TestGateway gateway, WebSocketClientOptions options, String token,
                                String group) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(options);
    WebSocketConnectOptions connect = new WebSocketConnectOptions()
        .setURI(PresenceWebSocketEndpoint.PATH + (group == null ? "" : "?group=" + group))
        .addHeader("Authorization", "Bearer " + token);
    WebSocket socket = client.connect(connect).await(10, TimeUnit.SECONDS);
    return new PresenceClient(client, socket);
  }

  WebSocket socket() {
    return socket;
  }

  void send(JsonObject message) throws Exception {
    socket.writeTextMessage(message.encode()).await(10, TimeUnit.SECONDS);
  }

  /** Subscribes and waits for the {@code subscribed} reply and one snapshot per newer user. */
  JsonObject subscribe(List<String> users, Map<String, Long> versions) throws Exception {
    String id = "s" + System.nanoTime();
    send(new JsonObject().put("op", "subscribe").put("id", id).put("users", new JsonArray(users))
        .put("versions", new JsonObject(new java.util.HashMap<>(versions))));
    return await(f -> "subscribed".equals(f.getString("type")) && id.equals(f.getString("id")));
  }

  /** Waits for the first frame matching {@code match}. */
  JsonObject await(Predicate<JsonObject> match) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (JsonObject frame : frames) {
        if (match.test(frame)) {
          return frame;
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no matching frame within 15 s; got " + frames);
  }

  /** Waits for the change frame of {@code user} at {@code version}. */
  JsonObject awaitChange(String user, long version) throws InterruptedException {
    return await(f -> "presence".equals(f.getString("type")) && user.equals(f.getString("user"))
        && f.getLong("version") == version);
  }

  /** Versions of {@code user} received as changes ("presence" frames), in arrival order. */
  List<Long> changeVersions(String user) {
    List<Long> out = new ArrayList<>();
    for (JsonObject frame : frames) {
      if ("presence".equals(frame.getString("type")) && user.equals(frame.getString("user"))) {
        out.add(frame.getLong("version"));
      }
    }
    return out;
  }

  List<JsonObject> ofType(String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  void awaitClosed() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!closeHandled && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (!socket.isClosed()) {
        socket.close().await(5, TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      // a paused socket may never complete its close handshake; the client close below ends it
    }
    client.close().await(5, TimeUnit.SECONDS);
  }
}
