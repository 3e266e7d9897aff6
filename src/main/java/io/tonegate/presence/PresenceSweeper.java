package io.tonegate.presence;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run by the lease owner: recomputes users whose debounce window ended or whose manual or call layer expired, so a
 * trailing change or a fallback is published even when the instance that scheduled it died.
 */
final class PresenceSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceSweeper.class);
  /** Users recomputed per sweep tick; the rest wait for the next tick. */
  static final int BATCH = 500;
  /** A claimed user comes back to the due set after this long if its sweeper died mid-way. */
  private static final long RETRY_MS = 30_000;

  private final Vertx vertx;
  private final PresenceStore store;
  private final long intervalMs;
  private long timer = -1;
  private boolean running;

  PresenceSweeper(Vertx vertx, PresenceStore store, long intervalMs) {
    this.vertx = vertx;
    this.store = store;
    this.intervalMs = intervalMs;
  }

  void start() {
    if (timer < 0) {
      timer = vertx.setPeriodic(intervalMs, id -> sweep());
    }
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void sweep() {
    if (running) {
      return; // the previous sweep is still going
    }
    running = true;
    long claimedScore = store.now() + RETRY_MS;
    store.claimDue(BATCH, claimedScore).compose(users -> {
      io.vertx.core.Future<Void> chain = io.vertx.core.Future.succeededFuture();
      for (String user : users) {
        chain = chain.compose(v -> store.recompute(user)
            .compose(result -> store.rescheduleDue(user, result, claimedScore))
            .otherwiseEmpty());
      }
      return chain;
    }).onComplete(result -> {
      running = false;
      if (result.failed()) {
        LOG.debug("presence sweep failed: {}", result.cause().toString());
      }
    });
  }
}
