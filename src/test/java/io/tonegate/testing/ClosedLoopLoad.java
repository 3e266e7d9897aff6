package io.tonegate.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The closed-loop driver of the HTTP benchmarks: a fixed number of workers, each sending its next request as soon as
 * the last one answered, for a fixed time; latency per request in an HdrHistogram, printed as one line.
 */
public final class ClosedLoopLoad {

  private final String name;
  private final int concurrency;
  private final String setting;
  private final LongFunction<Future<?>> request;

  /**
   * @param name     what the line calls a request ("identity tokens")
   * @param setting  the client setting the line names ("concurrency 32, 16 connections")
   * @param request  sends request number n (n spreads the workers over the test data); fails on a bad answer
   */
  public ClosedLoopLoad(String name, int concurrency, String setting, LongFunction<Future<?>> request) {
    this.name = name;
    this.concurrency = concurrency;
    this.setting = setting;
    this.request = request;
  }

  /** Runs for {@code seconds} and prints the line, tagged with {@code label} ("warm-up", "measured"). */
  public void run(int seconds, String label) throws Exception {
    Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    long start = System.nanoTime();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      Promise<Void> done = Promise.promise();
      loop(w, latency, ok, failed, running, done);
      workers.add(done.future());
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    running.set(false);
    Future.join(workers).await(30, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    synchronized (latency) {
      System.out.printf("%s [%s]: %d requests in %.1f s = %.0f/s, %d failed, %s; "
              + "latency ms p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f%n",
          name, label, ok.get(), elapsed, ok.get() / elapsed, failed.get(), setting,
          latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(90) / 1000.0,
          latency.getValueAtPercentile(99) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0,
          latency.getMaxValue() / 1000.0);
    }
  }

  private void loop(int worker, Histogram latency, AtomicLong ok, AtomicLong failed, AtomicBoolean running,
                    Promise<Void> done) {
    if (!running.get()) {
      done.complete();
      return;
    }
    long t0 = System.nanoTime();
    request.apply(ok.get() + worker).onComplete(result -> {
      long micros = (System.nanoTime() - t0) / 1000;
      synchronized (latency) {
        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
      }
      if (result.failed() && failed.get() == 0) {
        System.out.println(name + ", first failure: " + result.cause().getMessage());
      }
      (result.succeeded() ? ok : failed).incrementAndGet();
      loop(worker, latency, ok, failed, running, done);
    });
  }
}
