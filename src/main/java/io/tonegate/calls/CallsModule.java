package io.tonegate.calls;

import io.tonegate.auth.JwtValidator;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.ratelimit.RateLimit;
import io.tonegate.ratelimit.RateLimitHandler;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Call control as a gateway module: {@code /api/events} (Event Grid), {@code /api/callbacks} (Call Automation
 * callbacks) and {@code /api/call} (outbound calls), over one {@link CallControl} per process.
 */
public final class CallsModule implements GatewayModule {

  private static final Logger LOG = LoggerFactory.getLogger(CallsModule.class);

  private final CallsConfig config;
  private final CallControl control;
  private final CallAutomationClient automation;
  private final List<JwtValidator> validators = new ArrayList<>();
  private final EventGridHandler eventGrid;
  private final CallbackHandler callbacks;
  private final OutboundCallHandler outbound;
  private volatile CallKeyStore callKeyStore;
  private volatile Handler<RoutingContext> apiRateLimit = RoutingContext::next;
  private final MeterRegistry registry;
  /** The rate limiter scope of {@code POST /api/call}. */
  public static final String API_RATE_LIMIT_SCOPE = "api-call-ip";
  private final CallEventRelay relay;

  private CallsModule(GatewayContext ctx, CallsConfig config, Clock clock) {
    this.config = config;
    this.registry = ctx.registry();
    Vertx vertx = ctx.vertx();
    CallsMetrics metrics = new CallsMetrics(ctx.registry());
    this.automation = new CallAutomationClient(vertx, config.acs(), metrics, clock);
    CallStore store = new CallStore(ctx.redis(), ctx.config().redis().keyPrefix());
    this.control = new CallControl(config, automation, store, metrics, ctx.config().server().publicUrl(),
        ctx.config().server().publicWebSocketUrl(), clock);
    this.relay = new CallEventRelay(vertx, ctx.redis(), ctx.config().redis(), control::deliverLocally);
    control.setRelay(relay::publish);

    Optional<JwtValidator> entra = config.eventGrid().entra()
        .map(jwt -> register(JwtValidator.create(vertx, "eventgrid-entra", jwt, ctx.registry())));
    this.eventGrid = new EventGridHandler(control, new EventGridAuthenticator(config.eventGrid(), entra),
        config.eventGrid(), metrics);
    Optional<JwtValidator> callbackValidator = config.callbacks().audiences().isEmpty() ? Optional.empty()
        : Optional.of(register(JwtValidator.create(vertx, "acs-callbacks", config.callbacks(), ctx.registry())));
    this.callbacks = new CallbackHandler(control, callbackValidator, metrics);
    Optional<JwtValidator> api = config.api().oidc()
        .map(jwt -> register(JwtValidator.create(vertx, "api-call", jwt, ctx.registry())));
    this.outbound = new OutboundCallHandler(control, config, api, () -> Optional.ofNullable(callKeyStore), metrics,
        clock);
  }

  /** Where {@code POST /api/call} stores the {@code acs:<callConnectionId>} key (the session store). */
  public void setCallKeyStore(CallKeyStore store) {
    this.callKeyStore = store;
  }

  /**
   * Uses the session store for {@code acs:<callConnectionId>} keys and its Redis rate limiter for
   * {@code calls.api.ratePerMinute} per source IP on {@code POST /api/call} (fail closed: 503 when Redis cannot be
   * asked, as the call could not be registered anyway). Call before the gateway mounts the modules.
   */
  public void useSessions(SessionStore store, RateLimiter limiter) {
    setCallKeyStore((id, value, ttl) -> store.storeCallKey(id, value, ttl).mapEmpty());
    this.apiRateLimit = RateLimitHandler.perSourceIp(limiter, API_RATE_LIMIT_SCOPE,
        new RateLimit(config.api().ratePerMinute(), Duration.ofMinutes(1)), false, registry);
  }

  /** Reads {@code calls} (and {@code auth}) from the gateway's configuration. */
  public static CallsModule create(GatewayContext ctx) {
    CallsConfig config = CallsConfig.from(ctx.config().root().section("calls"), ctx.config().root().section("auth"));
    return new CallsModule(ctx, config, Clock.systemUTC());
  }

  /** The call control API (hang up, find a call, listen to call events) for other capabilities. */
  public CallControl control() {
    return control;
  }

  public CallsConfig config() {
    return config;
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    router.options("/api/events").handler(eventGrid::handshake);
    router.post("/api/events").handler(eventGrid::deliver);
    router.post("/api/callbacks").handler(callbacks::handle);
    Handler<RoutingContext> limit = apiRateLimit;
    router.post("/api/call").handler(limit).handler(outbound::handle);
  }

  @Override
  public Future<Void> start() {
    if (!automation.configured()) {
      LOG.warn("calls.acs.connectionString is empty: incoming calls cannot be answered");
    }
    if (!config.eventGrid().authConfigured()) {
      LOG.warn("calls.eventGrid has neither a secret nor an Entra key source: /api/events refuses every delivery");
    }
    if (config.callbacks().audiences().isEmpty()) {
      LOG.warn("calls.callbacks.audiences is empty: /api/callbacks refuses every callback");
    }
    if (config.incoming().serve().isEmpty()) {
      LOG.info("calls.incoming.serve is empty: incoming calls are logged, not answered");
    }
    List<Future<Void>> starting = new ArrayList<>(validators.stream().map(JwtValidator::start).toList());
    starting.add(relay.start());
    return Future.join(starting).mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    validators.forEach(JwtValidator::close);
    automation.close();
    return relay.stop();
  }

  private JwtValidator register(JwtValidator validator) {
    validators.add(validator);
    return validator;
  }
}
