package io.tonegate.calls;

import io.tonegate.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Call records and delivery de-duplication in Redis. Every key starts with {@code redis.keyPrefix}:
 * <ul>
 *   <li>{@code <prefix>call:{<callConnectionId>}}: the call record hash ({@link CallRecord}), TTL
 *       {@code calls.recordTtl}</li>
 *   <li>{@code <prefix>calls:seen:<namespace>:<eventId>}: an Event Grid or callback event id already taken, TTL
 *       {@code dedupTtl}; {@code SET NX}, so exactly one delivery of an id acts</li>
 * </ul>
 */
public final class CallStore {

  private static final LuaScript UPSERT = LuaScript.fromResource("/lua/call-upsert.lua");

  private final Redis redis;
  private final String keyPrefix;

  public CallStore(Redis redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  public String recordKey(String callConnectionId) {
    return CallRecord.key(keyPrefix, callConnectionId);
  }

  /**
   * Claims an event id: true for the first delivery, false when the id was claimed before (within {@code ttl}).
   *
   * @param namespace {@code eventgrid} or {@code callback}
   */
  public Future<Boolean> claimEvent(String namespace, String eventId, Duration ttl) {
    return redis.send(Request.cmd(Command.SET).arg(seenKey(namespace, eventId)).arg("1").arg("NX").arg("PX")
            .arg(ttl.toMillis()))
        .map(response -> response != null && "OK".equals(response.toString()));
  }

  /** Releases a claim, so a redelivery of the event is acted on (used when acting failed transiently). */
  public Future<Void> releaseEvent(String namespace, String eventId) {
    return redis.send(Request.cmd(Command.DEL).arg(seenKey(namespace, eventId))).mapEmpty();
  }

  /** Stores (merges) a whole record and sets its TTL. */
  public Future<Void> saveCall(CallRecord record, Duration ttl) {
    Map<String, String> fields = new LinkedHashMap<>(record.fields());
    String state = fields.remove("state");
    String createdAt = fields.remove("createdAt");
    return upsert(record.callConnectionId(), ttl, state, createdAt, fields);
  }

  /** Moves a call's state forward (never backwards) and refreshes its TTL. */
  public Future<Void> updateState(String callConnectionId, CallState state, Duration ttl) {
    return upsert(callConnectionId, ttl, state.wireName(), "", Map.of());
  }

  public Future<Optional<CallRecord>> findCall(String callConnectionId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(recordKey(callConnectionId))).map(response -> {
      Map<String, String> fields = new LinkedHashMap<>();
      if (response != null && response.isMap()) {
        for (String key : response.getKeys()) {
          fields.put(key, response.get(key).toString());
        }
      } else if (response != null) {
        for (int i = 0; i + 1 < response.size(); i += 2) { // RESP2: field, value, field, value...
          fields.put(response.get(i).toString(), response.get(i + 1).toString());
        }
      }
      return CallRecord.fromFields(fields);
    });
  }

  /** Deletes a call's record; true when there was one. */
  public Future<Boolean> deleteCall(String callConnectionId) {
    return redis.send(Request.cmd(Command.DEL).arg(recordKey(callConnectionId)))
        .map(response -> response != null && response.toInteger() > 0);
  }

  private Future<Void> upsert(String callConnectionId, Duration ttl, String state, String createdAt,
                              Map<String, String> fields) {
    List<String> args = new ArrayList<>();
    args.add(Long.toString(ttl.toMillis()));
    args.add(state == null ? "" : state);
    args.add(createdAt == null ? "" : createdAt);
    fields.forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    return UPSERT.run(redis, List.of(recordKey(callConnectionId)), args).mapEmpty();
  }

  private String seenKey(String namespace, String eventId) {
    return keyPrefix + "calls:seen:" + namespace + ":" + eventId;
  }

}
