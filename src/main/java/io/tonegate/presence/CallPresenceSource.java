package io.tonegate.presence;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The calls source: while a call authenticated by Tonegate is connected, each identity in it is
 * {@code presence.calls} (Busy/InACall by default); when the call ends it goes back to what its other layers say.
 * Idempotent per call id, so a repeated event changes nothing, and calls whose end is never reported expire after
 * {@code presence.calls.maxCallDuration}.
 *
 * <p>The caller capability feeds it from its call-authentication events ({@link CallEvents}).
 */
public final class CallPresenceSource implements CallEvents {

  private final PresencePublisher publisher;

  CallPresenceSource(PresencePublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public Future<Void> callConnected(String callId, Collection<String> identities) {
    List<Future<UpdateResult>> updates = new ArrayList<>();
    for (String identity : identities) {
      if (UserIds.isValid(identity)) {
        updates.add(publisher.callStarted(identity, callId));
      }
    }
    return Future.all(updates).mapEmpty();
  }

  @Override
  public Future<Void> callEnded(String callId, Collection<String> identities) {
    List<Future<UpdateResult>> updates = new ArrayList<>();
    for (String identity : identities) {
      if (UserIds.isValid(identity)) {
        updates.add(publisher.callEnded(identity, callId));
      }
    }
    return Future.all(updates).mapEmpty();
  }
}
