package io.tonegate.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pooled client with a deadline on every command: the Vert.x Redis client has none, so a Redis that accepts
 * connections but never answers (a frozen process, a partition after the TCP handshake) would otherwise hold every
 * request that touches it forever. A command past its deadline fails with a {@link java.util.concurrent.TimeoutException}
 * (callers treat it like Redis unavailable: fail closed). The command itself may still run later on the server.
 *
 * <p>Dedicated connections from {@link #connect()} (pub/sub subscribers) are returned as they are: they wait for
 * messages indefinitely by design and must watch their own health (e.g. a periodic PING with a deadline).
 */
final class DeadlineRedis implements Redis {

  private final Redis delegate;
  private final long deadlineMs;

  DeadlineRedis(Redis delegate, long deadlineMs) {
    this.delegate = delegate;
    this.deadlineMs = deadlineMs;
  }

  @Override
  public Future<RedisConnection> connect() {
    return delegate.connect(); // bounded by the TCP connect timeout; a late connection must not leak from the pool
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  @Override
  public Future<Response> send(Request command) {
    return delegate.send(command).timeout(deadlineMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return delegate.batch(commands).timeout(deadlineMs, TimeUnit.MILLISECONDS);
  }
}
