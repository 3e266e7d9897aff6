package io.tonegate.caller;

import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.ratelimit.RateLimitsConfig;
import io.tonegate.session.SessionStore;

/**
 * Caller authentication in the gateway: builds the {@link CallerEngine} that the media module opens a
 * {@link CallerSession} with for every media session, and the {@link CallerEvents} other modules subscribe to.
 */
public final class CallerModule implements GatewayModule {

  private final CallerEngine engine;
  private final CallRecords records;

  public CallerModule(GatewayContext ctx, SessionStore sessions, RateLimiter limiter, RateLimitsConfig limits) {
    CallerConfig config = CallerConfig.from(ctx.config().root().section("caller"), sessions.config());
    String prefix = ctx.config().redis().keyPrefix();
    this.records = new CallRecords(ctx.redis(), prefix);
    CallerEvents events = new CallerEvents(ctx.redis(), prefix + config.eventsChannel(), ctx.registry());
    CodeValidator validator = new CodeValidator(ctx.vertx(), sessions, limiter, limits, config.redisDeadline(),
        ctx.registry());
    this.engine = new CallerEngine(ctx.vertx(), config, sessions.rules(), records, validator, events,
        CallTerminator.NONE, ctx.registry());
  }

  /** Opens caller authentication for media sessions. */
  public CallerEngine engine() {
    return engine;
  }

  /** Caller outcomes, in-process and on the Redis call-events channel. */
  public CallerEvents events() {
    return engine.events();
  }

  /** The call records (read by the engine; the dev API creates simulated ones). */
  public CallRecords callRecords() {
    return records;
  }
}
