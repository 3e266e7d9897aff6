package io.tonegate.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tonegate.config.TonegateConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * What every module is built from: the process's Vert.x instance, the validated configuration, the shared Redis
 * client and the metrics registry.
 */
public record GatewayContext(Vertx vertx, TonegateConfig config, Redis redis, PrometheusMeterRegistry registry) {
}
