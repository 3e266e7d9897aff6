package io.tonegate.caller;

import io.vertx.core.Future;

/**
 * Hangs up a call; in the gateway it is the calls module's {@code CallControl.hangUp} (Call Automation). {@link #NONE}
 * hangs up nothing (tests, embedders without Call Automation): the call then ends when the media session does.
 */
@FunctionalInterface
public interface CallTerminator {

  /** No Call Automation available: nothing is hung up. */
  CallTerminator NONE = (callConnectionId, reason) -> Future.succeededFuture();

  /** Ends the call for everyone; {@code reason} is a short label for logs ({@code rejected}, {@code locked_out}). */
  Future<Void> hangUp(String callConnectionId, String reason);
}
