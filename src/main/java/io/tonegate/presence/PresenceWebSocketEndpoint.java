package io.tonegate.presence;

import io.tonegate.gateway.WebSocketEndpoint;
import io.tonegate.gateway.WebSocketRejection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code /ws/presence}: a Tonegate access token with {@code presence.read} (Authorization: Bearer, or
 * {@code ?access_token=} for browsers), optionally {@code ?group=<name>} to join a subscription group; then
 * subscribe/unsubscribe messages for many users on one socket (docs/presence.md).
 */
final class PresenceWebSocketEndpoint implements WebSocketEndpoint {

  static final String PATH = "/ws/presence";
  static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** RFC 6455 §7.4.1: the endpoint cannot accept this data type (binary frames). */
  private static final short UNSUPPORTED_DATA = 1003;

  private final Vertx vertx;
  private final PresenceAccess access;
  private final Supplier<PresenceHub> hub;
  private final PresenceStore store;
  private final PresenceConfig.SubscriberLimits limits;
  private final PresenceMetrics metrics;

  PresenceWebSocketEndpoint(Vertx vertx, PresenceAccess access, Supplier<PresenceHub> hub, PresenceStore store,
                            PresenceConfig.SubscriberLimits limits, PresenceMetrics metrics) {
    this.vertx = vertx;
    this.access = access;
    this.hub = hub;
    this.store = store;
    this.limits = limits;
    this.metrics = metrics;
  }

  @Override
  public String path() {
    return PATH;
  }

  @Override
  public Future<Consumer<ServerWebSocket>> admit(ServerWebSocketHandshake handshake) {
    String group = queryParam(handshake.query(), "group");
    if (group != null && !GROUP.matcher(group).matches()) {
      metrics.refused("ws", "bad_group");
      return Future.failedFuture(new WebSocketRejection(400, "bad_group"));
    }
    String token = PresenceAccess.bearerToken(handshake.headers().get("Authorization"),
        queryParam(handshake.query(), "access_token"));
    if (token == null) {
      metrics.refused("ws", "missing_token");
      return Future.failedFuture(new WebSocketRejection(401, "missing_token"));
    }
    return access.authorizeReader(token).<Consumer<ServerWebSocket>>map(grant -> socket -> open(socket, grant, group))
        .recover(error -> {
          if (error instanceof PresenceAccessDenied denied) {
            metrics.refused("ws", denied.reason());
            return Future.failedFuture(new WebSocketRejection(denied.status(), denied.reason()));
          }
          return Future.failedFuture(error);
        });
  }

  private void open(ServerWebSocket socket, PresenceGrant grant, String group) {
    socket.setWriteQueueMaxSize(limits.writeQueueBytes());
    PresenceSubscriber subscriber = new PresenceSubscriber(new WebSocketSink(socket), grant, group, hub.get().fanout(),
        store, limits, metrics, vertx);
    socket.closeHandler(v -> subscriber.closed());
    socket.exceptionHandler(e -> { }); // a reset connection ends in the close handler
    socket.binaryMessageHandler(b -> socket.close(UNSUPPORTED_DATA, "text frames only"));
    socket.textMessageHandler(text -> onMessage(subscriber, text));
  }

  private void onMessage(PresenceSubscriber subscriber, String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException e) {
      metrics.refused("ws", "bad_message");
      subscriber.reply(PresenceSubscriber.error("BadRequest", "messages are JSON objects"));
      return;
    }
    Object id = message.getValue("id");
    if (id != null && !(id instanceof String || id instanceof Number)) {
      id = null;
    }
    String op = message.getValue("op") instanceof String s ? s : "";
    switch (op) {
      case "subscribe", "unsubscribe" -> {
        List<String> users = users(message.getValue("users"));
        Map<String, Long> versions = versions(message.getValue("versions"));
        if (users == null || versions == null || users.size() > limits.maxUsersPerConnection()) {
          metrics.refused("ws", "bad_message");
          subscriber.reply(PresenceSubscriber.error("BadRequest",
              "users must be an array of at most " + limits.maxUsersPerConnection()
                  + " strings, versions an object of non-negative integers").put("id", id));
          return;
        }
        if (op.equals("subscribe")) {
          subscriber.subscribe(users, versions, id);
        } else {
          subscriber.unsubscribe(users, id);
        }
      }
      case "ping" -> subscriber.reply(new JsonObject().put("type", "pong").put("id", id));
      default -> {
        metrics.refused("ws", "bad_message");
        subscriber.reply(PresenceSubscriber.error("BadRequest", "op must be subscribe, unsubscribe or ping")
            .put("id", id));
      }
    }
  }

  /** The users array, or null if it is not an array of strings. */
  static List<String> users(Object value) {
    if (!(value instanceof JsonArray array)) {
      return null;
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s)) {
        return null;
      }
      out.add(s);
    }
    return out;
  }

  /** The versions object (absent = empty), or null if malformed. */
  static Map<String, Long> versions(Object value) {
    Map<String, Long> out = new HashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonObject object)) {
      return null;
    }
    for (Map.Entry<String, Object> entry : object) {
      if (!(entry.getValue() instanceof Number n) || n.longValue() < 0 || n.doubleValue() != Math.rint(n.doubleValue())) {
        return null;
      }
      out.put(entry.getKey(), n.longValue());
    }
    return out;
  }

  static String queryParam(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        try {
          return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return "\u0000"; // malformed %-escape: a value no check accepts (refused as 400/401, never a 500)
        }
      }
    }
    return null;
  }

  private static final class WebSocketSink implements SubscriberSink {
    private final ServerWebSocket socket;

    WebSocketSink(ServerWebSocket socket) {
      this.socket = socket;
    }

    @Override
    public boolean writeQueueFull() {
      return socket.writeQueueFull();
    }

    @Override
    public void write(String type, String json) {
      socket.writeTextMessage(json);
    }

    @Override
    public void drainHandler(Runnable handler) {
      socket.drainHandler(v -> handler.run());
    }

    @Override
    public void close(short code, String reason) {
      if (!socket.isClosed()) {
        socket.close(code, reason);
      }
    }
  }
}
