package io.tonegate.presence;

import io.vertx.core.Future;

import java.util.Collection;

/**
 * The call events presence consumes: the caller capability adapts its call-authentication events to this (an
 * authenticated call connected, the call ended), and presence turns them into the call layer.
 */
public interface CallEvents {

  /** An authenticated call connected; {@code identities} are the Tonegate/ACS identities in it. */
  Future<Void> callConnected(String callId, Collection<String> identities);

  /** The call ended (hang-up, failure, or teardown). */
  Future<Void> callEnded(String callId, Collection<String> identities);
}
