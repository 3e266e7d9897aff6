package io.tonegate.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * The one way sources change presence (the API, calls, the poller). It runs the store's compare-and-set and, when
 * the result has a due time soon (a debounce window or an expiry), sets a local timer to recompute then; the lease
 * owner's sweep of the due set is the safety net if this instance dies first.
 */
public final class PresencePublisher {

  private static final Logger LOG = LoggerFactory.getLogger(PresencePublisher.class);
  /** Due times further away than this are left to the sweep alone (no long-lived local timers). */
  private static final long LOCAL_TIMER_HORIZON_MS = 10 * 60_000;

  private final Vertx vertx;
  private final PresenceStore store;
  private final LongSupplier clockMs;

  PresencePublisher(Vertx vertx, PresenceStore store, LongSupplier clockMs) {
    this.vertx = vertx;
    this.store = store;
    this.clockMs = clockMs;
  }

  public Future<UpdateResult> set(String user, String layer, Presence presence, long expiresAtMs) {
    return follow(user, store.set(user, layer, presence, expiresAtMs));
  }

  public Future<UpdateResult> clear(String user, String layer) {
    return follow(user, store.clear(user, layer));
  }

  public Future<UpdateResult> callStarted(String user, String callId) {
    return follow(user, store.callStarted(user, callId));
  }

  public Future<UpdateResult> callEnded(String user, String callId) {
    return follow(user, store.callEnded(user, callId));
  }

  public Future<UpdateResult> recompute(String user) {
    return follow(user, store.recompute(user));
  }

  private Future<UpdateResult> follow(String user, Future<UpdateResult> update) {
    return update.onSuccess(result -> {
      long due = result.nextDue();
      long delay = due - clockMs.getAsLong();
      if (due > 0 && delay < LOCAL_TIMER_HORIZON_MS) {
        vertx.setTimer(Math.max(1, delay + 1), id -> store.recompute(user)
            .onFailure(e -> LOG.debug("presence recompute of a due user failed (the sweep retries): {}", e.toString())));
      }
    });
  }
}
