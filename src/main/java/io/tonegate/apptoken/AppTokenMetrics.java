package io.tonegate.apptoken;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@code tonegate.apptoken.*} meters, built once, eagerly, for every outcome. */
final class AppTokenMetrics {

  private final Map<AppTokenOutcome, Counter> requests = new EnumMap<>(AppTokenOutcome.class);
  private final Timer latency;

  AppTokenMetrics(MeterRegistry registry) {
    for (AppTokenOutcome outcome : AppTokenOutcome.values()) {
      requests.put(outcome, Counter.builder("tonegate.apptoken.requests")
          .description("POST /api/token decisions, by outcome")
          .tag("outcome", outcome.tag())
          .register(registry));
    }
    latency = Metrics.histogramTimer("tonegate.apptoken.request.latency",
            "POST /api/token time from routing to response (rate limits, token check, Redis, signing)",
            Metrics.DECISION_BUCKETS)
        .register(registry);
  }

  void record(AppTokenOutcome outcome, long nanos) {
    requests.get(outcome).increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }
}
