package io.tonegate.observability;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.time.Duration;

/**
 * The process's one metrics registry and the conventions every feature follows: names {@code tonegate.<area>.<thing>}
 * (exported as {@code tonegate_<area>_<thing>}), a description on every meter, bounded tags only.
 */
public final class Metrics {

  /** Buckets for per-frame and per-request work, in the budgets' milliseconds range. */
  public static final Duration[] FAST_BUCKETS = millis(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100);
  /** Buckets for decisions and deliveries that cross Redis or the network. */
  public static final Duration[] DECISION_BUCKETS = millis(1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500);

  private Metrics() {
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Vert.x options that publish Vert.x (HTTP, WebSocket, pools, event bus) and JVM meters into {@code registry}. */
  public static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // publishQuantiles: histogram buckets for HTTP response times, so histogram_quantile works on them.
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true)));
  }

  /** A timer with explicit histogram buckets, so Prometheus can compute percentiles with histogram_quantile. */
  public static Timer.Builder histogramTimer(String name, String description, Duration... buckets) {
    return Timer.builder(name).description(description).serviceLevelObjectives(buckets);
  }

  private static Duration[] millis(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000));
    }
    return out;
  }
}
