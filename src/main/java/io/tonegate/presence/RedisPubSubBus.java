package io.tonegate.presence;

import io.tonegate.redis.RedisSlots;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * {@link PresenceBus} over Redis pub/sub on one dedicated connection (a subscribed connection cannot run other
 * commands, so it is taken from the client and never shared). Classic mode uses SUBSCRIBE/PUBLISH; sharded mode uses
 * SSUBSCRIBE/SPUBLISH (Redis 7), where each message stays on the shard owning the user's hash slot.
 *
 * <p>When the connection ends it reconnects with capped exponential backoff (the vertx-redis-client reconnect
 * pattern), re-subscribes every channel in batches and then calls the resubscribed handler.
 */
public final class RedisPubSubBus implements PresenceBus {

  private static final Logger LOG = LoggerFactory.getLogger(RedisPubSubBus.class);
  /** Channels per SUBSCRIBE command when re-subscribing, to keep each request bounded. */
  private static final int SUBSCRIBE_BATCH = 1000;

  private final Context context;
  private final Redis redis;
  private final boolean sharded;
  private final Duration minDelay;
  private final Duration maxDelay;
  private final Set<String> channels = new HashSet<>();
  private BiConsumer<String, String> onMessage = (c, p) -> { };
  private Runnable onResubscribed = () -> { };
  private RedisConnection connection;
  private long backoffMs;
  private boolean stopped;
  private boolean connecting;

  public RedisPubSubBus(Context context, Redis redis, PresenceConfig.PubSubMode mode, Duration minDelay,
                        Duration maxDelay) {
    this.context = context;
    this.redis = redis;
    if (mode == PresenceConfig.PubSubMode.AUTO) {
      throw new IllegalArgumentException("resolve the pub/sub mode against the Redis mode first");
    }
    this.sharded = mode == PresenceConfig.PubSubMode.SHARDED;
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.backoffMs = minDelay.toMillis();
  }

  @Override
  public String publishCommand() {
    return sharded ? "SPUBLISH" : "PUBLISH";
  }

  @Override
  public void messageHandler(BiConsumer<String, String> handler) {
    this.onMessage = handler;
  }

  @Override
  public void resubscribedHandler(Runnable handler) {
    this.onResubscribed = handler;
  }

  @Override
  public Future<Void> start() {
    // Never fails: with Redis down the gateway still starts (fail closed elsewhere) and this keeps reconnecting.
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> connect(false).onComplete(started));
    return started.future();
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    RedisConnection current = connection;
    connection = null;
    return current == null ? Future.succeededFuture() : current.close().otherwiseEmpty();
  }

  @Override
  public Future<Void> subscribe(Collection<String> newChannels) {
    List<String> added = new ArrayList<>();
    for (String channel : newChannels) {
      if (channels.add(channel)) {
        added.add(channel);
      }
    }
    if (added.isEmpty() || connection == null) {
      return Future.succeededFuture();
    }
    return send(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE, added);
  }

  @Override
  public Future<Void> unsubscribe(Collection<String> oldChannels) {
    List<String> removed = new ArrayList<>();
    for (String channel : oldChannels) {
      if (channels.remove(channel)) {
        removed.add(channel);
      }
    }
    if (removed.isEmpty() || connection == null) {
      return Future.succeededFuture();
    }
    return send(sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE, removed);
  }

  /** Channels currently wanted (for tests and metrics). */
  public int channelCount() {
    return channels.size();
  }

  private Future<Void> send(Command command, List<String> list) {
    List<Future<Response>> sent = new ArrayList<>();
    // Sharded channels of one SSUBSCRIBE must share a slot (Cluster answers CROSSSLOT otherwise, and the client
    // routes the command to the slot's master): one command per slot. Classic channels are not keys: any batch.
    for (List<String> group : sharded ? RedisSlots.groupBySlot(list, channel -> channel) : List.of(list)) {
      for (int from = 0; from < group.size(); from += SUBSCRIBE_BATCH) {
        Request request = Request.cmd(command);
        group.subList(from, Math.min(group.size(), from + SUBSCRIBE_BATCH)).forEach(request::arg);
        sent.add(connection.send(request));
      }
    }
    return Future.all(sent).mapEmpty();
  }

  private Future<Void> connect(boolean reconnect) {
    if (stopped || connecting) {
      return Future.succeededFuture();
    }
    connecting = true;
    return redis.connect().compose(conn -> {
      connecting = false;
      if (stopped) {
        return conn.close();
      }
      connection = conn;
      conn.handler(this::handle);
      conn.exceptionHandler(error -> lost(conn, error));
      conn.endHandler(v -> lost(conn, null));
      List<String> all = new ArrayList<>(channels);
      Future<Void> subscribed = all.isEmpty() ? Future.succeededFuture()
          : send(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE, all);
      return subscribed.onSuccess(v -> {
        backoffMs = minDelay.toMillis();
        if (reconnect) {
          LOG.info("presence subscription connection re-established ({} channels)", all.size());
          onResubscribed.run();
        }
      });
    }, error -> {
      connecting = false;
      return Future.failedFuture(error);
    }).recover(error -> {
      LOG.warn("presence subscription connection failed: {}; retrying in {} ms", error.getMessage(), backoffMs);
      scheduleReconnect();
      return Future.succeededFuture();
    });
  }

  private void lost(RedisConnection conn, Throwable error) {
    if (conn != connection) {
      return; // an old connection reporting late
    }
    connection = null;
    if (stopped) {
      return;
    }
    LOG.warn("presence subscription connection lost{}; reconnecting", error == null ? "" : ": " + error.getMessage());
    conn.close();
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (stopped) {
      return;
    }
    long delay = backoffMs;
    backoffMs = Math.min(maxDelay.toMillis(), backoffMs * 2);
    context.owner().setTimer(delay, id -> context.runOnContext(v -> {
      if (connection == null) {
        connect(true);
      }
    }));
  }

  private void handle(Response message) {
    // RESP2 arrays and RESP3 pushes look alike: [message, channel, payload] or [smessage, channel, payload].
    if (message == null || message.size() < 3) {
      return;
    }
    String kind = message.get(0).toString();
    if ("message".equals(kind) || "smessage".equals(kind)) {
      onMessage.accept(message.get(1).toString(), message.get(2).toString());
    }
  }
}
