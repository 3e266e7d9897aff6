package io.tonegate.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady write traffic through a Redis client during a fault: one {@code SET key value} every {@code intervalMs},
 * each with a deadline, every outcome recorded with its time. Afterwards a test asks which writes were acknowledged,
 * which failed fast, which timed out (a hung command), when the outage began and ended, and which acknowledged writes
 * survived.
 */
public final class RedisTraffic {

  /** One write and how it ended. */
  public record Outcome(int seq, String key, long sentNanos, long doneNanos, Kind kind, String error) {
  }

  public enum Kind { ACKNOWLEDGED, FAILED, TIMED_OUT }

  private static final int READ_BATCH = 100;

  private final Vertx vertx;
  private final Redis redis;
  private final String keyPrefix;
  private final long timeoutMs;
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger seq = new AtomicInteger();
  private final AtomicLong lastAckNanos = new AtomicLong();
  private long timer = -1;

  public RedisTraffic(Vertx vertx, Redis redis, String keyPrefix, long timeoutMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.timeoutMs = timeoutMs;
  }

  /** Starts writing every {@code intervalMs}. */
  public RedisTraffic start(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, id -> writeOne());
    return this;
  }

  /** Stops sending and waits (up to the per-write deadline plus a margin) for the writes in flight to finish. */
  public void stop() {
    vertx.cancelTimer(timer);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + 2_000);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      RedisProcess.sleep(10);
    }
    if (inFlight.get() > 0) {
      throw new IllegalStateException(inFlight.get() + " writes neither completed nor timed out: the timeout is broken");
    }
  }

  private void writeOne() {
    int n = seq.getAndIncrement();
    String key = keyPrefix + n;
    long sent = System.nanoTime();
    inFlight.incrementAndGet();
    redis.send(Request.cmd(Command.SET).arg(key).arg(value(n)).arg("EX").arg(600))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(result -> {
          long done = System.nanoTime();
          if (result.succeeded()) {
            outcomes.add(new Outcome(n, key, sent, done, Kind.ACKNOWLEDGED, null));
            lastAckNanos.set(done);
          } else {
            Throwable cause = result.cause();
            Kind kind = cause instanceof java.util.concurrent.TimeoutException ? Kind.TIMED_OUT : Kind.FAILED;
            outcomes.add(new Outcome(n, key, sent, done, kind, String.valueOf(cause.getMessage())));
          }
          inFlight.decrementAndGet();
        });
  }

  /** The value written under the {@code n}th key. */
  public static String value(int n) {
    return "v" + n;
  }

  /** Waits until {@code count} consecutive writes (by send order) have been acknowledged, or fails after the time. */
  public void awaitConsecutiveAcks(int count, long withinMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs);
    while (System.nanoTime() < deadline) {
      if (trailingAcks() >= count) {
        return;
      }
      RedisProcess.sleep(20);
    }
    throw new AssertionError("writes did not recover within " + withinMs + " ms; last outcomes: " + lastOutcomes(5));
  }

  private int trailingAcks() {
    List<Outcome> sorted = sorted();
    int run = 0;
    for (int i = sorted.size() - 1; i >= 0 && sorted.get(i).kind() == Kind.ACKNOWLEDGED; i--) {
      run++;
    }
    return run;
  }

  private List<Outcome> lastOutcomes(int n) {
    List<Outcome> sorted = sorted();
    return sorted.subList(Math.max(0, sorted.size() - n), sorted.size());
  }

  /** Every outcome in send order. */
  public List<Outcome> sorted() {
    List<Outcome> all = new ArrayList<>(outcomes);
    all.sort((a, b) -> Integer.compare(a.seq(), b.seq()));
    return all;
  }

  public List<Outcome> of(Kind kind) {
    return sorted().stream().filter(o -> o.kind() == kind).toList();
  }

  /** Milliseconds from {@code faultNanos} to the completion of the last write that did not succeed (0 if none). */
  public long outageMsAfter(long faultNanos) {
    return sorted().stream().filter(o -> o.kind() != Kind.ACKNOWLEDGED && o.doneNanos() >= faultNanos)
        .mapToLong(o -> TimeUnit.NANOSECONDS.toMillis(o.doneNanos() - faultNanos)).max().orElse(0);
  }

  /**
   * The acknowledged writes whose key is now absent or holds another value, read back through {@code reader} in
   * batches (the pool's wait queue is bounded).
   */
  public List<Outcome> lostAcknowledged(Redis reader) throws Exception {
    List<Outcome> lost = new ArrayList<>();
    List<Outcome> acked = of(Kind.ACKNOWLEDGED);
    for (int from = 0; from < acked.size(); from += READ_BATCH) {
      List<Outcome> batch = acked.subList(from, Math.min(acked.size(), from + READ_BATCH));
      List<Future<Response>> reads = new ArrayList<>();
      for (Outcome o : batch) {
        reads.add(reader.send(Request.cmd(Command.GET).arg(o.key())));
      }
      Future.all(reads).await(30, TimeUnit.SECONDS);
      for (int i = 0; i < batch.size(); i++) {
        Response r = reads.get(i).result();
        if (r == null || !value(batch.get(i).seq()).equals(r.toString())) {
          lost.add(batch.get(i));
        }
      }
    }
    return lost;
  }
}
