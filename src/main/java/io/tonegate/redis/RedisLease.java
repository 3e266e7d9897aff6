package io.tonegate.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A role held by one process among all gateway instances (a poller, a sweeper): a Redis key set with
 * {@code SET NX PX} holding this holder's random token, renewed at a third of its TTL and released on stop. When
 * the holder dies its key expires and another instance, trying at the same pace, takes over within one TTL.
 *
 * <p>A holder that cannot renew in time (Redis down, a long pause) is told it lost the role before the key can
 * have expired elsewhere: it stops acting at {@code ttl - renewInterval} after its last successful renewal.
 */
public final class RedisLease {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLease.class);
  private static final LuaScript RENEW = new LuaScript(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0");
  private static final LuaScript RELEASE = new LuaScript(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");

  private final Vertx vertx;
  private final Redis redis;
  private final String key;
  private final Duration ttl;
  private final String token = UUID.randomUUID().toString();
  private final Consumer<Boolean> onChange;
  private long timer = -1;
  private boolean held;
  private long validUntil;
  private boolean stopped;

  /**
   * @param onChange called with true when this process gains the role and false when it loses it (on the context
   *                 that started the lease)
   */
  public RedisLease(Vertx vertx, Redis redis, String key, Duration ttl, Consumer<Boolean> onChange) {
    this.vertx = vertx;
    this.redis = redis;
    this.key = key;
    this.ttl = ttl;
    this.onChange = onChange;
  }

  /** Starts trying to acquire (and then renewing) at a third of the TTL. */
  public void start() {
    tick();
    timer = vertx.setPeriodic(Math.max(1, ttl.toMillis() / 3), id -> tick());
  }

  public boolean held() {
    return held;
  }

  /** Stops renewing and releases the key if held, so another instance takes over at once. */
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    boolean wasHeld = held;
    setHeld(false);
    if (!wasHeld) {
      return Future.succeededFuture();
    }
    return RELEASE.run(redis, List.of(key), List.of(token)).mapEmpty();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long started = System.currentTimeMillis();
    if (held && started >= validUntil) {
      setHeld(false); // renewals failed for too long: another instance may hold it now
    }
    Future<Boolean> attempt = held
        ? RENEW.run(redis, List.of(key), List.of(token, Long.toString(ttl.toMillis()))).map(r -> r.toInteger() == 1)
        : redis.send(Request.cmd(Command.SET).arg(key).arg(token).arg("NX").arg("PX").arg(ttl.toMillis()))
            .map(r -> r != null);
    attempt.onComplete(result -> {
      if (stopped) {
        return;
      }
      if (result.succeeded() && result.result()) {
        validUntil = started + ttl.toMillis() - Math.max(1, ttl.toMillis() / 3);
        setHeld(true);
      } else if (result.succeeded()) {
        setHeld(false); // someone else holds it
      } else {
        LOG.debug("lease {} attempt failed: {}", key, result.cause().toString());
      }
    });
  }

  private void setHeld(boolean now) {
    if (now != held) {
      held = now;
      LOG.info("lease {} {}", key, now ? "acquired" : "lost");
      onChange.accept(now);
    }
  }
}
