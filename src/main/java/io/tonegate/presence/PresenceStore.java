package io.tonegate.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.redis.LuaScript;
import io.tonegate.redis.RedisSlots;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The last known presence per user in Redis, and its change-only publication: every write runs
 * {@code presence-update.lua}, which updates one source layer, recomputes the effective presence and, only when it
 * differs from the published one, increments the version and publishes on the user's topic, all atomically. Two
 * instances applying the same change therefore publish it once.
 *
 * <p>Users with a pending debounce or a layer expiry are also put in a due set, which the lease owner sweeps
 * ({@link #recompute}), so nothing depends on the instance that made the change staying alive.
 */
public final class PresenceStore {

  static final LuaScript UPDATE = LuaScript.fromResource("/lua/presence-update.lua");
  /** Removes a user from the due set only if its score is still the one the sweeper claimed. */
  private static final LuaScript UNDUE = new LuaScript(
      "if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end "
          + "return 0");
  /** Claims up to ARGV[2] due users (score <= ARGV[1]) by pushing their score to ARGV[3]; returns member, score. */
  private static final LuaScript CLAIM_DUE = new LuaScript(
      "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2])) "
          + "local out = {} "
          + "for _, user in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], user) "
          + "table.insert(out, user) end return out");

  private final Redis redis;
  private final boolean cluster;
  private final PresenceKeys keys;
  private final PresenceConfig config;
  private final String publishCommand;
  private final LongSupplier clockMs;
  private final String priority;
  private final Counter published;

  public PresenceStore(Redis redis, PresenceKeys keys, PresenceConfig config, String publishCommand,
                       LongSupplier clockMs, MeterRegistry registry) {
    this(redis, keys, config, publishCommand, clockMs, registry, false);
  }

  /**
   * @param cluster Redis is a Cluster: multi-user reads are pipelined per hash slot (a pipeline on Cluster must stay
   *                in one slot, and each user's keys have their own tag)
   */
  public PresenceStore(Redis redis, PresenceKeys keys, PresenceConfig config, String publishCommand,
                       LongSupplier clockMs, MeterRegistry registry, boolean cluster) {
    this.redis = redis;
    this.cluster = cluster;
    this.keys = keys;
    this.config = config;
    this.publishCommand = publishCommand;
    this.clockMs = clockMs;
    this.priority = String.join(",", config.sourcePriority());
    this.published = Counter.builder("tonegate.presence.changes.published")
        .description("Presence changes published (compare-and-set found a different state and incremented the version)")
        .register(registry);
  }

  long now() {
    return clockMs.getAsLong();
  }

  public PresenceKeys keys() {
    return keys;
  }

  /** Sets {@code layer} to {@code presence} until {@code expiresAtMs} (0 = until changed). */
  public Future<UpdateResult> set(String user, String layer, Presence presence, long expiresAtMs) {
    return run("set", user, layer, presence, expiresAtMs, "");
  }

  /** Removes {@code layer}; the next live layer (or the fallback) becomes the presence. */
  public Future<UpdateResult> clear(String user, String layer) {
    return run("clear", user, layer, null, 0, "");
  }

  /** An authenticated call of {@code user} connected: the call layer is live until every call ended. */
  public Future<UpdateResult> callStarted(String user, String callId) {
    long expiry = clockMs.getAsLong() + config.maxCallDuration().toMillis();
    return run("call-start", user, "call", config.inCall(), expiry, callId);
  }

  public Future<UpdateResult> callEnded(String user, String callId) {
    return run("call-end", user, "call", null, 0, callId);
  }

  /** Recomputes the effective presence (a debounce window ended, or a layer expired) and publishes if it changed. */
  public Future<UpdateResult> recompute(String user) {
    return run("recompute", user, "", null, 0, "");
  }

  private Future<UpdateResult> run(String op, String user, String layer, Presence presence, long expiresAt,
                                   String callId) {
    long now = clockMs.getAsLong();
    List<String> args = List.of(op, layer,
        presence == null ? "" : presence.availability(), presence == null ? "" : presence.activity(),
        Long.toString(expiresAt), Long.toString(now), Long.toString(config.debounceWindow().toMillis()), priority,
        config.fallback().availability(), config.fallback().activity(), keys.channel(user), publishCommand, user,
        callId);
    return UPDATE.run(redis, List.of(keys.state(user), keys.calls(user)), args).compose(response -> {
      UpdateResult result = new UpdateResult(UpdateResult.Outcome.values()[response.get(0).toInteger()],
          response.get(1).toLong(), response.get(2).toLong(), response.get(3).toLong());
      if (result.outcome() == UpdateResult.Outcome.PUBLISHED) {
        published.increment();
      }
      long due = result.nextDue();
      if (due == 0) {
        return Future.succeededFuture(result);
      }
      // LT: keep the earlier of an existing and this due time; the sweep re-adds later ones as it goes.
      return redis.send(Request.cmd(Command.ZADD).arg(keys.due()).arg("LT").arg(due).arg(user)).map(result);
    });
  }

  /** Current published presence of {@code users} (version 0 and the fallback for users never published). */
  public Future<Map<String, PresenceChange>> read(List<String> users) {
    if (users.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<List<String>> groups = cluster ? RedisSlots.groupBySlot(users, keys::state) : List.of(users);
    List<Future<List<Response>>> reads = new ArrayList<>(groups.size());
    for (List<String> group : groups) {
      List<Request> requests = new ArrayList<>(group.size());
      for (String user : group) {
        requests.add(Request.cmd(Command.HMGET).arg(keys.state(user)).arg("a").arg("act").arg("v").arg("src")
            .arg("ts"));
      }
      reads.add(redis.batch(requests));
    }
    return Future.all(reads).map(all -> {
      Map<String, PresenceChange> byUser = new java.util.HashMap<>();
      for (int g = 0; g < groups.size(); g++) {
        List<Response> responses = all.resultAt(g);
        for (int i = 0; i < groups.get(g).size(); i++) {
          String user = groups.get(g).get(i);
          byUser.put(user, toChange(user, responses.get(i)));
        }
      }
      Map<String, PresenceChange> out = new LinkedHashMap<>();
      users.forEach(user -> out.put(user, byUser.get(user)));
      return out;
    });
  }

  private PresenceChange toChange(String user, Response fields) {
    if (fields == null || fields.get(0) == null || fields.get(2) == null) {
      return new PresenceChange(user, config.fallback(), 0, "fallback", 0);
    }
    Presence presence;
    try {
      presence = new Presence(fields.get(0).toString(), fields.get(1).toString());
    } catch (RuntimeException e) {
      presence = config.fallback(); // written by a newer version with values this one does not know
    }
    return new PresenceChange(user, presence, fields.get(2).toLong(), String.valueOf(fields.get(3)),
        fields.get(4) == null ? 0 : fields.get(4).toLong());
  }

  /**
   * Claims up to {@code limit} users whose debounce or expiry is due; their due score moves to {@code claimedScore}
   * (a little ahead) so a sweeper that dies mid-way leaves them to the next one.
   */
  Future<List<String>> claimDue(int limit, long claimedScore) {
    long now = clockMs.getAsLong();
    return CLAIM_DUE.run(redis, List.of(keys.due()),
        List.of(Long.toString(now), Integer.toString(limit), Long.toString(claimedScore))).map(response -> {
          List<String> users = new ArrayList<>(response.size());
          response.forEach(item -> users.add(item.toString()));
          return users;
        });
  }

  /** After a sweep recomputed {@code user}: schedule its next due time, or drop it if it has none. */
  Future<Void> rescheduleDue(String user, UpdateResult result, long claimedScore) {
    long due = result.nextDue();
    if (due > 0) {
      return redis.send(Request.cmd(Command.ZADD).arg(keys.due()).arg(due).arg(user)).mapEmpty();
    }
    return UNDUE.run(redis, List.of(keys.due()), List.of(user, Long.toString(claimedScore))).mapEmpty();
  }
}
