package io.tonegate.calls;

import io.tonegate.redis.RedisClients;
import io.tonegate.redis.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * Carries call events between gateway processes over Redis pub/sub ({@code <keyPrefix>calls:events}). A callback
 * lands on any process behind the load balancer, but the call's media WebSocket lives on one: the process that
 * handled the callback tells its own listeners directly and publishes the event; every other process hands it to
 * its listeners, which act only if the call's session is theirs. A process ignores its own messages (origin id), so
 * each listener hears an event once.
 *
 * <p>Best effort, as pub/sub is: while Redis is unreachable events are not relayed (a tone still arrives in-band and
 * as DtmfData; a disconnect still closes the socket from the ACS side). The subscription reconnects with a capped
 * backoff.
 */
final class CallEventRelay {

  private static final Logger LOG = LoggerFactory.getLogger(CallEventRelay.class);
  private static final long MAX_RECONNECT_DELAY_MS = 10_000;

  private final Vertx vertx;
  private final Redis publisher;
  private final RedisConfig redisConfig;
  private final String channel;
  private final String origin = UUID.randomUUID().toString();
  private final Consumer<JsonObject> onRemoteEvent;
  private Redis subscriberClient;
  private RedisConnection subscriber;
  private volatile boolean stopped;
  private long reconnectDelayMs = 100;

  CallEventRelay(Vertx vertx, Redis publisher, RedisConfig redisConfig, Consumer<JsonObject> onRemoteEvent) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.redisConfig = redisConfig;
    this.channel = redisConfig.keyPrefix() + "calls:events";
    this.onRemoteEvent = onRemoteEvent;
  }

  /** Publishes an event to the other processes; failures are logged, never thrown. */
  void publish(JsonObject event) {
    publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(event.copy().put("origin", origin).encode()))
        .onFailure(e -> LOG.debug("call event not relayed: {}", e.getMessage()));
  }

  /** Subscribes; completes once subscribed (or failed: the relay then keeps retrying in the background). */
  Future<Void> start() {
    return subscribe().otherwiseEmpty();
  }

  Future<Void> stop() {
    stopped = true;
    Future<Void> closing = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return closing.eventually(() -> subscriberClient == null ? Future.succeededFuture() : subscriberClient.close())
        .otherwiseEmpty();
  }

  private Future<Void> subscribe() {
    if (stopped) {
      return Future.succeededFuture();
    }
    if (subscriberClient == null) {
      subscriberClient = RedisClients.create(vertx, redisConfig);
    }
    return subscriberClient.connect().compose(connection -> {
      subscriber = connection;
      connection.handler(this::onMessage);
      connection.exceptionHandler(e -> reconnect("error: " + e.getMessage()));
      connection.endHandler(v -> reconnect("connection closed"));
      return connection.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
    }).onSuccess(r -> {
      reconnectDelayMs = 100;
      LOG.debug("subscribed to {}", channel);
    }).onFailure(e -> reconnect("subscribe failed: " + e.getMessage())).mapEmpty();
  }

  private void reconnect(String why) {
    if (stopped) {
      return;
    }
    LOG.warn("call event relay lost its Redis subscription ({}); retrying in {} ms", why, reconnectDelayMs);
    long delay = reconnectDelayMs;
    reconnectDelayMs = Math.min(MAX_RECONNECT_DELAY_MS, reconnectDelayMs * 2);
    vertx.setTimer(delay, t -> subscribe());
  }

  private void onMessage(Response message) {
    // A pub/sub push: ["message", channel, payload].
    if (message == null || message.size() < 3 || !"message".equals(message.get(0).toString())) {
      return;
    }
    JsonObject event;
    try {
      event = new JsonObject(message.get(2).toString());
    } catch (DecodeException e) {
      return;
    }
    if (origin.equals(event.getString("origin"))) {
      return;
    }
    try {
      onRemoteEvent.accept(event);
    } catch (RuntimeException e) {
      LOG.error("relayed call event failed", e);
    }
  }
}
