package io.tonegate.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One subscriber connection (a WebSocket or an SSE stream), confined to its event loop: its subscriptions with the
 * last version it was sent per user, its bounded {@link SubscriberQueue}, and the slow-subscriber policy.
 *
 * <p>Frames are written while the connection's write queue has room; otherwise they wait in the queue, which
 * coalesces to the latest state per user when full. A connection whose write queue stays full for
 * {@code stuckTimeout} is closed with 1008. Nothing here ever waits, so a slow subscriber never delays others.
 */
final class PresenceSubscriber {

  /** RFC 6455 §7.4.1: policy violation, used for a subscriber that does not read. */
  static final short POLICY_VIOLATION = 1008;
  /** Replies the client has not read yet beyond which it counts as stuck (replies are never coalesced). */
  private static final int MAX_PENDING_REPLIES = 64;

  private record Outgoing(String type, String json, long publishedAt) {
  }

  private final SubscriberSink sink;
  private final PresenceGrant grant;
  private final String group;
  private final LocalFanout fanout;
  private final PresenceStore store;
  private final PresenceConfig.SubscriberLimits limits;
  private final PresenceMetrics metrics;
  private final Vertx vertx;
  /** Subscribed users -> last version queued for them (-1: nothing yet). */
  private final Map<String, Long> versions = new HashMap<>();
  private final SubscriberQueue<Outgoing> queue;
  private long stuckTimer = -1;
  private boolean closed;

  PresenceSubscriber(SubscriberSink sink, PresenceGrant grant, String group, LocalFanout fanout, PresenceStore store,
                     PresenceConfig.SubscriberLimits limits, PresenceMetrics metrics, Vertx vertx) {
    this.sink = sink;
    this.grant = grant;
    this.group = group;
    this.fanout = fanout;
    this.store = store;
    this.limits = limits;
    this.metrics = metrics;
    this.vertx = vertx;
    this.queue = new SubscriberQueue<>(limits.queueSize());
    sink.drainHandler(this::onDrain);
    metrics.subscriberOpened();
  }

  String group() {
    return group;
  }

  /** True while this subscriber's queue is coalescing: a group prefers another member. */
  boolean fallingBehind() {
    return queue.coalescing();
  }

  /**
   * Subscribes to {@code users}; {@code known} holds versions the client already has (reconnect), so only newer
   * states are sent as snapshots. Replies with {@code subscribed} (accepted and refused users), then the snapshots.
   */
  Future<Void> subscribe(List<String> users, Map<String, Long> known, Object requestId) {
    List<String> accepted = new ArrayList<>();
    List<String> fresh = new ArrayList<>();
    JsonArray refused = new JsonArray();
    for (String user : users) {
      String reason = null;
      if (!UserIds.isValid(user)) {
        reason = "invalid_user";
      } else if (!grant.mayRead(user)) {
        reason = "forbidden";
      } else if (!versions.containsKey(user) && versions.size() >= limits.maxUsersPerConnection()) {
        reason = "limit";
      }
      if (reason != null) {
        refused.add(new JsonObject().put("user", String.valueOf(user)).put("reason", reason));
        metrics.refused("subscribe", reason);
        continue;
      }
      long knownVersion = known.getOrDefault(user, -1L);
      Long previous = versions.get(user);
      if (previous == null) {
        fresh.add(user);
        versions.put(user, knownVersion);
      } else if (knownVersion > previous) {
        versions.put(user, knownVersion);
      } else if (!known.containsKey(user)) {
        versions.put(user, -1L); // a repeated subscribe without a version asks for the snapshot again
      }
      if (!accepted.contains(user)) {
        accepted.add(user);
      }
    }
    reply(new JsonObject().put("type", "subscribed").put("id", requestId).put("users", new JsonArray(accepted))
        .put("refused", refused));
    if (accepted.isEmpty()) {
      return Future.succeededFuture();
    }
    // Subscribe the topics first, then read: a change racing the read arrives either way and the version wins.
    return fanout.add(this, fresh)
        .compose(v -> store.read(accepted))
        .onSuccess(states -> {
          for (PresenceChange state : states.values()) {
            if (!closed) {
              enqueueIfNewer("snapshot", state, PresenceJson.frame("snapshot", state));
            }
          }
        })
        .onFailure(error -> reply(error("Unavailable", "presence state is unavailable, subscribe again later")))
        .mapEmpty();
  }

  void unsubscribe(Collection<String> users, Object requestId) {
    List<String> removed = new ArrayList<>();
    for (String user : users) {
      if (versions.remove(user) != null) {
        removed.add(user);
      }
    }
    fanout.remove(this, removed);
    reply(new JsonObject().put("type", "unsubscribed").put("id", requestId).put("users", new JsonArray(removed)));
  }

  /** A published change, from this loop's fan-out. */
  void offer(PresenceChange change, String frame) {
    enqueueIfNewer("presence", change, frame);
  }

  /** A reply to the client's own request (never coalesced). */
  void reply(JsonObject message) {
    if (closed) {
      return;
    }
    queue.offer(null, new Outgoing(message.getString("type"), message.encode(), 0));
    if (queue.unkeyed() > MAX_PENDING_REPLIES) {
      closeSlow();
      return;
    }
    pump();
  }

  static JsonObject error(String code, String message) {
    return new JsonObject().put("type", "error").put("code", code).put("message", message);
  }

  /** The connection closed: leave every topic. */
  void closed() {
    if (closed) {
      return;
    }
    closed = true;
    cancelStuckTimer();
    fanout.remove(this, new ArrayList<>(versions.keySet()));
    versions.clear();
    metrics.subscriberClosed();
  }

  private void enqueueIfNewer(String type, PresenceChange change, String frame) {
    Long last = versions.get(change.user());
    if (closed || last == null || change.version() <= last) {
      return; // unsubscribed, or this version (or a newer one) is already queued or sent
    }
    versions.put(change.user(), change.version());
    metrics.coalesced(queue.offer(change.user(), new Outgoing(type, frame, change.publishedAt())));
    pump();
  }

  private void pump() {
    while (!closed && !queue.isEmpty()) {
      if (sink.writeQueueFull()) {
        startStuckTimer();
        return;
      }
      Outgoing next = queue.poll();
      sink.write(next.type(), next.json());
      if ("presence".equals(next.type())) {
        metrics.delivered(next.publishedAt(), System.currentTimeMillis());
      } else if ("snapshot".equals(next.type())) {
        metrics.snapshot();
      }
    }
  }

  private void onDrain() {
    cancelStuckTimer();
    pump();
  }

  private void startStuckTimer() {
    if (stuckTimer < 0) {
      stuckTimer = vertx.setTimer(limits.stuckTimeout().toMillis(), id -> {
        stuckTimer = -1;
        if (!closed && sink.writeQueueFull()) {
          closeSlow();
        }
      });
    }
  }

  private void cancelStuckTimer() {
    if (stuckTimer >= 0) {
      vertx.cancelTimer(stuckTimer);
      stuckTimer = -1;
    }
  }

  private void closeSlow() {
    metrics.slowClosed();
    sink.close(POLICY_VIOLATION, "subscriber too slow");
    closed();
  }
}
