package io.tonegate.caller;

import io.tonegate.redis.LuaScript;
import io.tonegate.session.E164;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the call records the calls module keeps in Redis: a hash at {@code <keyPrefix>call:{<callConnectionId>}}
 * with fields {@code callConnectionId, correlationId, ani, to, sipCallId, flow, state, createdAt}. Caller
 * authentication adds {@code authState} and {@code authAt} to an existing record when it decides.
 */
public final class CallRecords {

  /** Sets fields only on an existing record, so a late decision never resurrects a deleted call as a stub. */
  private static final LuaScript SET_IF_EXISTS = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 1 then
        redis.call('HSET', KEYS[1], unpack(ARGV))
        return 1
      end
      return 0
      """);

  /** ARGV[1] is the TTL in ms, the rest field/value pairs. */
  private static final LuaScript CREATE_IF_ABSENT = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], unpack(ARGV, 2))
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return 1
      """);

  private final Redis redis;
  private final String keyPrefix;

  public CallRecords(Redis redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  /** The record's Redis key. The hash tag keeps every key of one call in one Cluster slot. */
  public String key(String callConnectionId) {
    return keyPrefix + "call:{" + callConnectionId + "}";
  }

  /** The call's record, or empty when there is none (or it has no usable flow). */
  public Future<Optional<CallInfo>> find(String callConnectionId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(key(callConnectionId))).map(r -> parse(callConnectionId, r));
  }

  /** Records the authentication decision on the call record, if the record exists. */
  public Future<Boolean> recordAuthState(String callConnectionId, CallerAuthState state, Instant at) {
    return SET_IF_EXISTS.run(redis, List.of(key(callConnectionId)),
            List.of("authState", state.name(), "authAt", at.toString()))
        .map(r -> r != null && r.toInteger() == 1);
  }

  /**
   * Creates a record for a simulated call (development only, see {@code POST /api/dev/calls}): refuses to overwrite
   * any existing record, and expires after {@code ttl}.
   */
  public Future<Boolean> createSimulated(CallInfo call, String to, Duration ttl) {
    String key = key(call.callConnectionId());
    List<String> args = new java.util.ArrayList<>(List.of(Long.toString(ttl.toMillis()),
        "callConnectionId", call.callConnectionId(),
        "correlationId", call.correlationId(),
        "flow", call.flow().tag(),
        "to", to,
        "state", "simulated",
        "source", "simulator",
        "createdAt", Instant.now().toString()));
    call.ani().ifPresent(ani -> args.addAll(List.of("ani", ani)));
    call.sipCallId().ifPresent(id -> args.addAll(List.of("sipCallId", id)));
    return CREATE_IF_ABSENT.run(redis, List.of(key), args).map(r -> r != null && r.toInteger() == 1);
  }

  static Optional<CallInfo> parse(String callConnectionId, Response hash) {
    Map<String, String> fields = new HashMap<>();
    if (hash != null && hash.isMap()) {
      for (String key : hash.getKeys()) {
        fields.put(key, hash.get(key).toString());
      }
    } else if (hash != null) {
      for (int i = 0; i + 1 < hash.size(); i += 2) { // RESP2: field, value, field, value...
        fields.put(hash.get(i).toString(), hash.get(i + 1).toString());
      }
    }
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Optional<CallerFlow> flow = CallerFlow.parse(fields.get("flow"));
    if (flow.isEmpty()) {
      return Optional.empty();
    }
    String correlationId = fields.getOrDefault("correlationId", "");
    Optional<String> sipCallId = Optional.ofNullable(fields.get("sipCallId")).filter(s -> !s.isBlank());
    return Optional.of(new CallInfo(callConnectionId, correlationId, flow.get(), E164.normalise(fields.get("ani")),
        sipCallId));
  }
}
