package io.tonegate.presence;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process-wide side of fan-out: one Redis subscription per user topic, shared by every local subscriber on
 * every event loop. Its state lives on its own context (no locks); each event loop has a {@link LocalFanout} that
 * registers interest here, and each message is decoded and encoded once, then handed to the interested loops.
 *
 * <p>After the bus reconnects, the hub reads the current state of every subscribed user and dispatches those newer
 * than the last version it saw, so a Redis blip loses no final state.
 */
public final class PresenceHub {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceHub.class);
  /** Users per Redis batch when catching up after a reconnect. */
  private static final int CATCH_UP_BATCH = 500;

  private static final class Topic {
    final Set<LocalFanout> fanouts = new HashSet<>();
    long version = -1;
  }

  private final Context context;
  private final PresenceBus bus;
  private final PresenceStore store;
  private final PresenceKeys keys;
  private final Map<String, Topic> topics = new HashMap<>();
  private final Map<Context, LocalFanout> fanouts = new ConcurrentHashMap<>();
  private final FanoutFactory fanoutFactory;

  /** Builds the fan-out of one event loop (groups need Redis and config, which the hub does not). */
  interface FanoutFactory {
    LocalFanout create(Context loop, PresenceHub hub);
  }

  PresenceHub(Vertx vertx, PresenceBus bus, PresenceStore store, Context hubContext, FanoutFactory fanoutFactory) {
    this.context = hubContext;
    this.bus = bus;
    this.store = store;
    this.keys = store.keys();
    this.fanoutFactory = fanoutFactory;
    bus.messageHandler(this::onMessage);
    bus.resubscribedHandler(this::catchUp);
  }

  public Future<Void> start() {
    return bus.start();
  }

  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> bus.stop().onComplete(stopped));
    return stopped.future();
  }

  /** The fan-out of the calling event loop (created on first use). */
  LocalFanout fanout() {
    Context current = Vertx.currentContext();
    if (current == null) {
      throw new IllegalStateException("presence subscribers live on an event loop");
    }
    return fanouts.computeIfAbsent(current, loop -> fanoutFactory.create(loop, this));
  }

  /**
   * {@code fanout} now has subscribers for {@code users}. Completes on the fan-out's loop once each topic's
   * subscription is confirmed (or the bus is reconnecting, in which case the catch-up covers the gap).
   */
  Future<Void> interest(LocalFanout fanout, Collection<String> users) {
    Promise<Void> done = Promise.promise();
    List<String> snapshot = List.copyOf(users);
    context.runOnContext(v -> {
      List<String> newChannels = new ArrayList<>();
      for (String user : snapshot) {
        Topic topic = topics.computeIfAbsent(user, u -> new Topic());
        if (topic.fanouts.isEmpty()) {
          newChannels.add(keys.channel(user));
        }
        topic.fanouts.add(fanout);
      }
      bus.subscribe(newChannels).onComplete(result -> fanout.context().runOnContext(x -> {
        if (result.failed()) {
          LOG.warn("presence subscribe failed: {}", result.cause().getMessage());
        }
        done.complete(); // a failed SUBSCRIBE means a broken connection: the reconnect's catch-up covers it
      }));
    });
    return done.future();
  }

  /** {@code fanout} has no more subscribers for {@code users}; the last one out unsubscribes the topic. */
  void disinterest(LocalFanout fanout, Collection<String> users) {
    List<String> snapshot = List.copyOf(users);
    context.runOnContext(v -> {
      List<String> gone = new ArrayList<>();
      for (String user : snapshot) {
        Topic topic = topics.get(user);
        if (topic != null && topic.fanouts.remove(fanout) && topic.fanouts.isEmpty()) {
          topics.remove(user);
          gone.add(keys.channel(user));
        }
      }
      bus.unsubscribe(gone);
    });
  }

  private void onMessage(String channel, String payload) {
    String user = keys.userOfChannel(channel);
    PresenceChange change = user == null ? null : PresenceJson.parseMessage(payload);
    if (change == null || !change.user().equals(user)) {
      return;
    }
    dispatch(change);
  }

  private void dispatch(PresenceChange change) {
    Topic topic = topics.get(change.user());
    if (topic == null || change.version() <= topic.version) {
      return; // nobody here listens any more, or the catch-up already delivered this version
    }
    topic.version = change.version();
    String frame = PresenceJson.frame("presence", change);
    for (LocalFanout fanout : topic.fanouts) {
      fanout.context().runOnContext(v -> fanout.deliver(change, frame));
    }
  }

  private void catchUp() {
    List<String> users = new ArrayList<>(topics.keySet());
    for (int from = 0; from < users.size(); from += CATCH_UP_BATCH) {
      List<String> batch = users.subList(from, Math.min(users.size(), from + CATCH_UP_BATCH));
      store.read(batch).onComplete(result -> context.runOnContext(v -> {
        if (result.failed()) {
          LOG.warn("presence catch-up read failed: {}", result.cause().getMessage());
          return;
        }
        for (PresenceChange change : result.result().values()) {
          if (change.version() > 0) {
            dispatch(change);
          }
        }
      }));
    }
  }
}
