package io.tonegate.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.observability.Metrics;
import io.tonegate.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Session keys in Redis: store with a TTL, read, delete, and the atomic one-time consumption that caller
 * authentication relies on. Key names are {@code <redis.keyPrefix>session:<digest>} where the digest is
 * {@link SessionKeyDigest}'s HMAC of the key, so no code is ever stored or sent to Redis in clear.
 *
 * <p>Other modules use it too: the calls module stores {@code acs:<call_connection_id>} keys for calls placed through
 * {@code /api/call} with {@link #storeCallKey}. Every operation returns a Future and never blocks; failures are
 * Redis's (connection, timeout) or {@link SessionConflictException}. Thread-safe; create one per process.
 */
public final class SessionStore {

  private static final Logger LOG = LoggerFactory.getLogger(SessionStore.class);
  private static final LuaScript CONSUME = LuaScript.fromResource("/lua/session-consume.lua");

  private final Redis redis;
  private final String keyPrefix;
  private final SessionConfig config;
  private final Clock clock;
  private final MeterRegistry registry;
  /** Timers by operation and result, built once (bounded: 5 operations x 5 results). */
  private final java.util.Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  public SessionStore(Redis redis, String keyPrefix, SessionConfig config, MeterRegistry registry, Clock clock) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.config = config;
    this.registry = registry;
    registerMeters();
    this.clock = clock;
  }

  /** The store for a gateway: its Redis, key prefix and {@code session} configuration. */
  public static SessionStore create(GatewayContext ctx, SessionConfig config) {
    return new SessionStore(ctx.redis(), ctx.config().redis().keyPrefix(), config, ctx.registry(), Clock.systemUTC());
  }

  public SessionConfig config() {
    return config;
  }

  public SessionKeyRules rules() {
    return config.rules();
  }

  /** The key's public id: its digest. Safe to log and to return to clients. */
  public String id(SessionKey key) {
    return config.digest().digest(key);
  }

  /** Whether {@code text} has the shape of an id (43 URL-safe base64 characters). */
  public static boolean isId(String text) {
    return text != null && text.length() == 43 && text.chars().allMatch(c ->
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  }

  /**
   * Stores {@code key} with {@code value} for {@code ttl}. Fails with {@link SessionConflictException} when the key
   * exists and {@code replace} is false. The TTL must already be within the configured bounds.
   */
  public Future<StoredSession> store(SessionKey key, JsonObject value, Duration ttl, boolean replace,
                                     String createdBy) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    String id = id(key);
    StoredSession session = new StoredSession(id, key.type(), key.redacted(), value, now, now.plus(ttl), createdBy);
    Request set = Request.cmd(Command.SET).arg(redisKey(id)).arg(session.toJson().encode())
        .arg("PX").arg(ttl.toMillis());
    if (!replace) {
      set.arg("NX");
    }
    return timed("store", redis.send(set).map(response -> {
      if (response == null) {
        throw new SessionConflictException(key.redacted());
      }
      return session;
    }));
  }

  /** Stores the {@code acs:<callConnectionId>} key of a call placed through the API (for the calls module). */
  public Future<StoredSession> storeCallKey(String callConnectionId, JsonObject value, Duration ttl) {
    SessionKey key;
    try {
      key = rules().acs(callConnectionId);
    } catch (InvalidSessionKeyException e) {
      return Future.failedFuture(e);
    }
    return store(key, value, ttl, true, "calls");
  }

  /** Reads a session by id without consuming it (operators). */
  public Future<Optional<StoredSession>> get(String id) {
    return timed("get", redis.send(Request.cmd(Command.GET).arg(redisKey(id))).map(r -> parse(id, r)));
  }

  /** Deletes a session by id; true when it existed. */
  public Future<Boolean> delete(String id) {
    return timed("delete", redis.send(Request.cmd(Command.DEL).arg(redisKey(id))).map(r -> r != null && r.toLong() > 0));
  }

  /** Atomically reads {@code key} and consumes it according to {@code session.consume}. */
  public Future<Optional<StoredSession>> consume(SessionKey key) {
    return consume(key, config.consume());
  }

  /**
   * Atomically reads {@code key} and, in {@link ConsumeMode#ONE_TIME}, deletes it in the same step: of any number of
   * concurrent calls for one key, exactly one gets it. Empty when there is no such key (wrong code, expired, used).
   */
  public Future<Optional<StoredSession>> consume(SessionKey key, ConsumeMode mode) {
    String id = id(key);
    return timed("consume", CONSUME.run(redis, List.of(redisKey(id)), List.of(mode == ConsumeMode.ONE_TIME ? "1" : "0"))
        .map(r -> parse(id, r)));
  }

  /**
   * Puts back a session that was consumed when nobody could use it any more (the consumer gave up at its deadline
   * before Redis answered), for the rest of its TTL. Does nothing when the TTL has passed or the key was stored
   * again meanwhile.
   */
  public Future<Boolean> restore(StoredSession session) {
    long remainingMs = session.expiresAt().toEpochMilli() - clock.millis();
    if (remainingMs <= 0) {
      return Future.succeededFuture(false);
    }
    Request set = Request.cmd(Command.SET).arg(redisKey(session.id())).arg(session.toJson().encode())
        .arg("PX").arg(remainingMs).arg("NX");
    return timed("restore", redis.send(set).map(r -> r != null));
  }

  /** The Redis name of a session id. */
  public String redisKey(String id) {
    return keyPrefix + "session:" + id;
  }

  private Optional<StoredSession> parse(String id, Response response) {
    if (response == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(StoredSession.fromJson(id, new JsonObject(response.toString())));
    } catch (RuntimeException e) { // DecodeException, or a field of the wrong type
      // A value we did not write (or a future format): treat it as no session, never as a match of unknown content.
      LOG.warn("session {} holds an unreadable value; ignored", id);
      return Optional.empty();
    }
  }

  private <T> Future<T> timed(String op, Future<T> operation) {
    long start = System.nanoTime();
    return operation.timeout(config.redisTimeout().toMillis(), TimeUnit.MILLISECONDS).andThen(result -> {
      String outcome;
      if (result.failed()) {
        outcome = result.cause() instanceof SessionConflictException ? "conflict" : "error";
      } else if (result.result() instanceof Optional<?> o) {
        outcome = o.isPresent() ? "hit" : "miss";
      } else if (result.result() instanceof Boolean b) {
        outcome = b ? "hit" : "miss";
      } else {
        outcome = "ok";
      }
      operationTimer(op, outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    });
  }

  private Timer operationTimer(String op, String result) {
    return timers.computeIfAbsent(op + "/" + result, k -> Timer.builder("tonegate.session.operations")
        .description("Session-store operations on Redis, by operation and result (hit, miss, ok, conflict, error)")
        .tags("op", op, "result", result)
        .serviceLevelObjectives(Metrics.DECISION_BUCKETS)
        .register(registry));
  }

  /** Registers the common series at zero so dashboards and rate() work before the first operation. */
  private void registerMeters() {
    operationTimer("store", "ok");
    operationTimer("consume", "hit");
    operationTimer("consume", "miss");
    operationTimer("consume", "error");
  }
}
