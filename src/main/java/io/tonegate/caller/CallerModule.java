package io.tonegate.caller;

import io.micrometer.core.instrument.Counter;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.gateway.HttpErrors;
import io.tonegate.identity.TokenScope;
import io.tonegate.ratelimit.RateLimitHandler;
import io.tonegate.session.E164;
import io.tonegate.session.InvalidSessionKeyException;
import io.tonegate.session.SessionModule;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Caller authentication in the gateway: builds the {@link CallerEngine} that the media module opens a
 * {@link CallerSession} with for every media session, and the {@link CallerEvents} other modules subscribe to.
 *
 * <p>In {@code devMode} only, it also serves {@code POST /api/dev/calls}, which creates the call record of a
 * simulated call (what the calls module writes when Event Grid announces a real one), so that a development gateway
 * can be exercised by the simulator without Event Grid. It is authenticated like {@code POST /api/sessions}, never
 * overwrites an existing record, and records expire after {@link #SIMULATED_CALL_TTL}. Outside devMode the route
 * does not exist (404).
 */
public final class CallerModule implements GatewayModule {

  private static final Logger LOG = LoggerFactory.getLogger(CallerModule.class);
  /** How long a simulated call's record lives: long enough for any simulated call. */
  public static final Duration SIMULATED_CALL_TTL = Duration.ofMinutes(15);

  private final CallerEngine engine;
  private final CallRecords records;
  private final SessionModule sessions;
  private final boolean devMode;
  private final Counter devRejections;
  private final RateLimitHandler perIp;

  /**
   * @param terminator hangs up REJECTED and LOCKED_OUT calls (the calls module's Call Automation hang-up)
   */
  public CallerModule(GatewayContext ctx, SessionModule sessions, CallTerminator terminator) {
    this.sessions = sessions;
    this.devMode = ctx.config().server().devMode();
    CallerConfig config = CallerConfig.from(ctx.config().root().section("caller"), sessions.store().config());
    String prefix = ctx.config().redis().keyPrefix();
    this.records = new CallRecords(ctx.redis(), prefix);
    CallerEvents events = new CallerEvents(ctx.redis(), prefix + config.eventsChannel(), ctx.registry());
    CodeValidator validator = new CodeValidator(ctx.vertx(), sessions.store(), sessions.rateLimiter(),
        sessions.rateLimits(), config.redisDeadline(), ctx.registry());
    this.engine = new CallerEngine(ctx.vertx(), config, sessions.store().rules(), records, validator, events,
        terminator, ctx.registry());
    this.devRejections = Counter.builder("tonegate.caller.dev.rejections")
        .description("Requests to the development call API refused for bad input")
        .register(ctx.registry());
    this.perIp = RateLimitHandler.perSourceIp(sessions.rateLimiter(), SessionModule.RATE_LIMIT_SCOPE,
        sessions.rateLimits().perSourceIp(), sessions.rateLimits().apiFailOpen(), ctx.registry());
  }

  /** Opens caller authentication for media sessions. */
  public CallerEngine engine() {
    return engine;
  }

  /**
   * The observer factory to register on the media module: a caller session per media stream, or none when
   * {@code caller.enabled} is false.
   */
  public io.tonegate.media.MediaSessionObserverFactory mediaObserverFactory() {
    return engine.config().enabled() ? CallerMediaObserver.factory(engine) : session -> null;
  }

  /** Caller outcomes, in-process and on the Redis call-events channel. */
  public CallerEvents events() {
    return engine.events();
  }

  /** The call records (read by the engine; the dev API creates simulated ones). */
  public CallRecords callRecords() {
    return records;
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    if (devMode) {
      router.post("/api/dev/calls")
          .handler(perIp)
          .handler(sessions.auth().requiring(TokenScope.SESSIONS_WRITE))
          .handler(this::createSimulatedCall);
    }
  }

  /**
   * {@code {"flow": "pstn", "ani": "+15551234567"}} (or {@code "sipCallId"} for sip; nothing more for api), with an
   * optional {@code callConnectionId} and {@code to}: 201 {@code {"callConnectionId", "correlationId"}}.
   */
  private void createSimulatedCall(RoutingContext rc) {
    JsonObject body;
    try {
      Object parsed = rc.body() == null || rc.body().buffer() == null || rc.body().buffer().length() == 0 ? null
          : Json.decodeValue(rc.body().buffer());
      body = parsed instanceof JsonObject o ? o : null;
    } catch (DecodeException e) {
      body = null;
    }
    if (body == null) {
      refuse(rc, "the body must be a JSON object");
      return;
    }
    Optional<CallerFlow> flow = CallerFlow.parse(body.getValue("flow") instanceof String s ? s : null);
    if (flow.isEmpty()) {
      refuse(rc, "flow must be pstn, sip or api");
      return;
    }
    String id = body.getValue("callConnectionId") instanceof String s ? s : UUID.randomUUID().toString();
    try {
      sessions.store().rules().acs(id);
    } catch (InvalidSessionKeyException e) {
      refuse(rc, "callConnectionId: " + e.getMessage());
      return;
    }
    Optional<String> ani = Optional.empty();
    Optional<String> sipCallId = Optional.empty();
    if (flow.get() == CallerFlow.PSTN) {
      Object raw = body.getValue("ani");
      if (!(raw instanceof String s) || !E164.isCanonical(s)) {
        refuse(rc, "ani must be an E.164 number for a pstn call");
        return;
      }
      ani = Optional.of(s);
    } else if (flow.get() == CallerFlow.SIP) {
      Object raw = body.getValue("sipCallId");
      try {
        sessions.store().rules().sip(raw instanceof String s ? s : null,
            sessions.store().rules().sipWithCode() ? "0".repeat(sessions.store().rules().minCodeLength()) : null);
      } catch (InvalidSessionKeyException e) {
        refuse(rc, "sipCallId: " + e.getMessage());
        return;
      }
      sipCallId = Optional.of((String) raw);
    }
    String to = body.getValue("to") instanceof String s && s.length() <= 64 ? s : "+18005550100";
    String correlationId = UUID.randomUUID().toString();
    CallInfo call = new CallInfo(id, correlationId, flow.get(), ani, sipCallId);
    records.createSimulated(call, to, SIMULATED_CALL_TTL).onComplete(result -> {
      if (result.failed()) {
        LOG.warn("could not create a simulated call record: {}", result.cause().toString());
        HttpErrors.send(rc, 503, "ServiceUnavailable", "the call store is temporarily unavailable");
      } else if (!result.result()) {
        HttpErrors.send(rc, 409, "Conflict", "a call with this callConnectionId already exists");
      } else {
        rc.response().setStatusCode(201).putHeader("content-type", "application/json")
            .end(new JsonObject().put("callConnectionId", id).put("correlationId", correlationId)
                .put("expiresInSeconds", SIMULATED_CALL_TTL.toSeconds()).encode());
      }
    });
  }

  private void refuse(RoutingContext rc, String message) {
    devRejections.increment();
    HttpErrors.send(rc, 400, "BadRequest", message);
  }
}
