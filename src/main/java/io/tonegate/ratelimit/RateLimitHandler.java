package io.tonegate.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route handler that limits requests per client IP address with a {@link RateLimiter}: within the limit the
 * request continues ({@code RateLimit-Remaining} header set), beyond it the answer is
 * {@code 429 {"error":{"code":"TooManyRequests"}}} with {@code Retry-After} in seconds. Put it before authentication,
 * so floods of bad signatures are limited too.
 *
 * <pre>{@code
 * router.post("/api/call").handler(RateLimitHandler.perSourceIp(limiter, "api-call-ip", limit, true, registry))
 *                         .handler(this::placeCall);
 * }</pre>
 *
 * <p>The address is the TCP peer's; behind a proxy, limits apply to the proxy unless it is configured to keep client
 * addresses (e.g. PROXY protocol). {@code X-Forwarded-For} is not trusted: any client could set it.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitHandler.class);

  private final RateLimiter limiter;
  private final String scope;
  private final RateLimit limit;
  private final boolean failOpen;
  private final Counter errors;

  private RateLimitHandler(RateLimiter limiter, String scope, RateLimit limit, boolean failOpen,
                           MeterRegistry registry) {
    this.limiter = limiter;
    this.scope = scope;
    this.limit = limit;
    this.failOpen = failOpen;
    this.errors = Counter.builder("tonegate.ratelimit.errors")
        .description("Rate-limit checks that failed because Redis failed, by limit scope")
        .tag("scope", scope)
        .register(registry);
    RateLimiter.rejected(registry, scope); // exists at zero from the start
  }

  /**
   * @param scope    the limit's name, e.g. {@code api-sessions-ip}: a separate count per route family
   * @param failOpen when Redis cannot be asked, let the request through (true) or answer 503 (false)
   */
  public static RateLimitHandler perSourceIp(RateLimiter limiter, String scope, RateLimit limit, boolean failOpen,
                                             MeterRegistry registry) {
    return new RateLimitHandler(limiter, scope, limit, failOpen, registry);
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!limit.enabled()) {
      rc.next();
      return;
    }
    SocketAddress peer = rc.request().remoteAddress();
    String ip = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    limiter.acquire(scope, ip, limit).onComplete(result -> {
      if (result.succeeded()) {
        RateDecision decision = result.result();
        if (decision.allowed()) {
          rc.response().putHeader("RateLimit-Remaining", Integer.toString(decision.remaining()));
          rc.next();
        } else {
          rc.response().putHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
          HttpErrors.send(rc, 429, "TooManyRequests",
              "rate limit of " + limit.permits() + " requests per " + limit.window().toSeconds()
                  + " s exceeded; retry after " + decision.retryAfterSeconds() + " s");
        }
        return;
      }
      errors.increment();
      LOG.warn("rate limit {} could not be checked ({}); {}", scope, result.cause().toString(),
          failOpen ? "letting the request through" : "refusing it");
      if (failOpen) {
        rc.next();
      } else {
        HttpErrors.send(rc, 503, "ServiceUnavailable", "the service is temporarily unavailable");
      }
    });
  }
}
