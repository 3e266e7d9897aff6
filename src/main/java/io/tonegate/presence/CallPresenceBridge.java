package io.tonegate.presence;

import io.tonegate.caller.CallerAuthState;
import io.tonegate.caller.CallerEvents;
import io.tonegate.caller.CallerOutcomeEvent;
import io.tonegate.calls.CallControl;
import io.tonegate.calls.CallEventListener;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Feeds the calls source from the other capabilities: a call whose caller authenticated (caller outcome
 * {@code AUTHENTICATED}) makes the identities named by its session value Busy/InACall; the call's end (Call
 * Automation's CallDisconnected, on whichever instance receives it) puts them back. The session value names them as
 * {@code "identity": "8:acs:..."} and/or {@code "identities": [...]}. Which identities a call made busy is kept in
 * Redis ({@code <prefix>presence:call:<callConnectionId>}, expiring with {@code presence.calls.maxCallDuration}), so
 * the end can be handled by another instance.
 */
public final class CallPresenceBridge implements CallEventListener {

  private static final Logger LOG = LoggerFactory.getLogger(CallPresenceBridge.class);
  private static final int MAX_IDENTITIES = 16;

  private final CallEvents calls;
  private final Redis redis;
  private final String keyPrefix;
  private final long ttlMs;

  private CallPresenceBridge(CallEvents calls, Redis redis, String keyPrefix, long ttlMs) {
    this.calls = calls;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.ttlMs = ttlMs;
  }

  /** A bridge not yet subscribed to anything (tests drive {@link #onOutcome} and {@link #onCallDisconnected}). */
  static CallPresenceBridge unconnected(PresenceModule presence, Redis redis, String keyPrefix) {
    return new CallPresenceBridge(presence.callEvents(), redis, keyPrefix + "presence:call:",
        presence.config().maxCallDuration().toMillis());
  }

  /** Subscribes presence to caller outcomes and call ends. */
  public static CallPresenceBridge connect(PresenceModule presence, CallerEvents callerEvents, CallControl control,
                                           Redis redis, String keyPrefix) {
    CallPresenceBridge bridge = new CallPresenceBridge(presence.callEvents(), redis, keyPrefix + "presence:call:",
        presence.config().maxCallDuration().toMillis());
    if (presence.config().enabled()) {
      callerEvents.subscribe(bridge::onOutcome);
      control.addListener(bridge);
    }
    return bridge;
  }

  /** The identities a session value names (the {@code identity} string and the {@code identities} array). */
  static List<String> identities(JsonObject value) {
    Set<String> out = new LinkedHashSet<>();
    if (value == null) {
      return List.of();
    }
    if (value.getValue("identity") instanceof String one && UserIds.isValid(one)) {
      out.add(one);
    }
    if (value.getValue("identities") instanceof JsonArray many) {
      for (Object item : many) {
        if (item instanceof String id && UserIds.isValid(id) && out.size() < MAX_IDENTITIES) {
          out.add(id);
        }
      }
    }
    return List.copyOf(out);
  }

  void onOutcome(CallerOutcomeEvent event) {
    if (event.state() != CallerAuthState.AUTHENTICATED || event.session().isEmpty()) {
      return;
    }
    List<String> identities = identities(event.session().get().value());
    if (identities.isEmpty()) {
      return;
    }
    String callId = event.callConnectionId();
    Request remember = Request.cmd(Command.SADD).arg(keyPrefix + callId);
    identities.forEach(remember::arg);
    redis.batch(List.of(remember, Request.cmd(Command.PEXPIRE).arg(keyPrefix + callId).arg(ttlMs)))
        .compose(v -> calls.callConnected(callId, identities))
        .onFailure(e -> LOG.warn("presence could not mark call {} busy: {}", callId, e.toString()));
  }

  @Override
  public void onCallDisconnected(String callConnectionId) {
    String key = keyPrefix + callConnectionId;
    redis.send(Request.cmd(Command.SMEMBERS).arg(key)).compose(members -> {
      List<String> identities = new ArrayList<>();
      if (members != null) {
        for (Response member : members) {
          identities.add(member.toString());
        }
      }
      if (identities.isEmpty()) {
        return io.vertx.core.Future.<Void>succeededFuture();
      }
      return calls.callEnded(callConnectionId, identities)
          .compose(v -> redis.send(Request.cmd(Command.DEL).arg(key)).<Void>mapEmpty());
    }).onFailure(e -> LOG.warn("presence could not end call {}: {}", callConnectionId, e.toString()));
  }
}
