package io.tonegate.presence;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * The cross-instance transport of presence changes: one topic (channel) per user. Implementations keep one Redis
 * subscription per channel for the whole process, re-subscribe after a reconnect and then report it, so the hub can
 * read what it may have missed.
 *
 * <p>Not thread-safe: every method is called on the hub's context, and handlers run there.
 */
public interface PresenceBus {

  /** The publish command the update script uses: {@code PUBLISH}, or {@code SPUBLISH} for sharded pub/sub. */
  String publishCommand();

  /** Subscribes to channels; completes when Redis confirmed, or at once while disconnected (the reconnect covers). */
  Future<Void> subscribe(Collection<String> channels);

  Future<Void> unsubscribe(Collection<String> channels);

  /** Where messages go: (channel, payload). */
  void messageHandler(BiConsumer<String, String> handler);

  /** Called after a reconnect re-subscribed every channel (messages in between may have been lost). */
  void resubscribedHandler(Runnable handler);

  Future<Void> start();

  Future<Void> stop();
}
