package io.tonegate.caller;

import io.vertx.core.Future;

/**
 * Hangs up a call; implemented by the calls module through Call Automation ({@code POST
 * /calling/callConnections/{id}:terminate}). Until that is wired, {@link #NONE} only closes nothing and the call ends
 * when the media session does.
 */
@FunctionalInterface
public interface CallTerminator {

  /** No Call Automation available: nothing is hung up. */
  CallTerminator NONE = (callConnectionId, reason) -> Future.succeededFuture();

  /** Ends the call for everyone; {@code reason} is a short label for logs ({@code rejected}, {@code locked_out}). */
  Future<Void> hangUp(String callConnectionId, String reason);
}
