package io.tonegate.redis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The shared Redis client with every command timed and every failure counted:
 * {@code tonegate.redis.command.latency{command}} and {@code tonegate.redis.command.errors{command,kind}}. Tags are
 * the Redis command name (a fixed set) and a small set of error kinds, never keys or arguments.
 *
 * <p>A {@code NOSCRIPT} reply to {@code EVALSHA} is not an error: it is how Redis says its script cache lacks the
 * script (first use, or after a restart or failover), and {@link LuaScript} answers it by sending the script in full.
 * It is counted apart, as {@code tonegate.redis.script.cache.misses}, so the error panels and alerts see real errors
 * only, and a burst of misses still shows when Redis lost its cache.
 */
final class InstrumentedRedis implements Redis {

  /** Failure kinds: the client could not reach Redis, Redis answered an error, or the caller's deadline passed. */
  enum ErrorKind { CONNECTION, REDIS, TIMEOUT }

  private final Redis delegate;
  private final MeterRegistry registry;
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Counter scriptCacheMisses;

  InstrumentedRedis(Redis delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
    this.scriptCacheMisses = Counter.builder("tonegate.redis.script.cache.misses")
        .description("EVALSHA answered NOSCRIPT, so the script was sent in full (first use, or Redis lost its cache)")
        .register(registry);
    for (String command : List.of("PING", "GET", "SET", "EVALSHA", "EVAL")) {
      timer(command);
      for (ErrorKind kind : ErrorKind.values()) {
        errorCounter(command, kind);
      }
    }
  }

  @Override
  public Future<Response> send(Request request) {
    String command = request.command().toString().toUpperCase(Locale.ROOT);
    long start = System.nanoTime();
    return delegate.send(request).andThen(result -> record(command, start, result.failed() ? result.cause() : null));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    long start = System.nanoTime();
    return delegate.batch(requests).andThen(result -> record("BATCH", start, result.failed() ? result.cause() : null));
  }

  @Override
  public Future<RedisConnection> connect() {
    return delegate.connect(); // dedicated connections (pub/sub) are instrumented by their owners
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  private void record(String command, long startNanos, Throwable failure) {
    timer(command).record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (failure == null) {
      return;
    }
    if (LuaScript.isNoScript(failure)) {
      scriptCacheMisses.increment();
    } else {
      errorCounter(command, kindOf(failure)).increment();
    }
  }

  static ErrorKind kindOf(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return ErrorKind.TIMEOUT;
    }
    // Redis error replies arrive as exceptions whose message starts with the error code in capitals (ERR, NOSCRIPT,
    // WRONGTYPE, ...); anything else is the client failing to reach Redis.
    String message = failure.getMessage();
    return message != null && message.matches("^[A-Z]{2,}( .*)?$") ? ErrorKind.REDIS : ErrorKind.CONNECTION;
  }

  private Timer timer(String command) {
    return latency.computeIfAbsent(command, c -> Metrics.histogramTimer("tonegate.redis.command.latency",
            "Redis command round trips from this gateway, by command", Metrics.FAST_BUCKETS)
        .tag("command", c).register(registry));
  }

  private Counter errorCounter(String command, ErrorKind kind) {
    return errors.computeIfAbsent(command + "/" + kind, k -> Counter.builder("tonegate.redis.command.errors")
        .description("Redis commands that failed, by command and kind (connection, redis error reply, timeout)")
        .tag("command", command).tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry));
  }
}
