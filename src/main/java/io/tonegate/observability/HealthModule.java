package io.tonegate.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.redis.RedisClients;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.redis.client.Redis;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The unauthenticated operational endpoints: {@code /health} (the process is alive), {@code /ready} (it can serve:
 * Redis answers) and {@code /metrics} (Prometheus text).
 */
public final class HealthModule implements GatewayModule {

  private final Redis redis;
  private final Duration readyTimeout;
  private final PrometheusMeterRegistry registry;
  private final Counter notReady;

  public HealthModule(Redis redis, Duration readyTimeout, PrometheusMeterRegistry registry) {
    this.redis = redis;
    this.readyTimeout = readyTimeout;
    this.registry = registry;
    this.notReady = Counter.builder("tonegate.ready.failures")
        .description("Readiness checks that found Redis unreachable or too slow")
        .register(registry);
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }

  private void health(RoutingContext rc) {
    rc.json(new JsonObject().put("status", "UP"));
  }

  private void ready(RoutingContext rc) {
    RedisClients.ping(redis, readyTimeout.toMillis()).onComplete(result -> {
      if (result.succeeded()) {
        rc.json(new JsonObject().put("status", "READY").put("redis", "UP"));
        return;
      }
      notReady.increment();
      String reason = result.cause() instanceof TimeoutException
          ? "redis did not answer PING within " + readyTimeout.toMillis() + " ms"
          : "redis unreachable";
      rc.response().setStatusCode(503).putHeader("content-type", "application/json")
          .end(new JsonObject().put("status", "NOT_READY").put("redis", "DOWN").put("reason", reason).encode());
    });
  }
}
