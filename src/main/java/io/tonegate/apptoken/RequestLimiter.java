package io.tonegate.apptoken;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * A rate limit shared by every gateway instance. Answers {@link Duration#ZERO} when the request may proceed (its
 * permit taken), otherwise how long until a permit frees up. Fails only when its store does.
 */
@FunctionalInterface
public interface RequestLimiter {

  Future<Duration> acquire(String scope, String subject, AppTokenConfig.Limit limit);
}
