package io.tonegate.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.gateway.HttpErrors;
import io.tonegate.identity.IdentityModule;
import io.tonegate.identity.TokenScope;
import io.tonegate.ratelimit.RateLimitHandler;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.ratelimit.RateLimitsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The session API, for IVRs and SBCs that know who is calling before the call reaches ACS:
 *
 * <pre>
 * POST   /api/sessions            {"key": "pstn:+15551234567:823", "value": {...}, "ttlSeconds": 3600, "replace": false}
 *                                 201 {"id", "key" (code masked), "type", "expiresAt", "ttlSeconds"}
 * GET    /api/sessions/{id|key}   200 the stored record (operators; scope sessions.read)
 * DELETE /api/sessions/{id|key}   204, or 404 when absent
 * </pre>
 *
 * Each request passes the per-IP rate limit ({@code rateLimits.perSourceIp}, scope {@code api-sessions-ip}), then
 * authentication ({@link SessionApiAuth}), then validation; every refusal is a JSON error in the ACS shape and is
 * counted in {@code tonegate.session.api.rejections{reason}}. Nothing is stored unless every check passed. The
 * {@code id} (the key's HMAC digest) is the way to refer to a stored key without repeating the code in a URL.
 */
public final class SessionModule implements GatewayModule {

  private static final Logger LOG = LoggerFactory.getLogger(SessionModule.class);
  /** Scope of the per-IP limit on this API: the tag of {@code tonegate.ratelimit.rejections}. */
  public static final String RATE_LIMIT_SCOPE = "api-sessions-ip";
  private static final Set<String> CREATE_FIELDS = Set.of("key", "value", "ttlSeconds", "replace");
  /** Room for the key, TTL and JSON punctuation around the value in a create request. */
  private static final int ENVELOPE_BYTES = 1024;

  private final SessionStore store;
  private final RateLimiter limiter;
  private final RateLimitsConfig limits;
  private final SessionApiAuth auth;
  private final MeterRegistry registry;
  private final RateLimitHandler perIp;

  public SessionModule(GatewayContext ctx, IdentityModule identity) {
    SessionConfig config = SessionConfig.from(ctx.config().root().section("session"),
        ctx.config().server().devMode(), ctx.config().server().dataDir());
    this.store = SessionStore.create(ctx, config);
    this.registry = ctx.registry();
    this.limits = RateLimitsConfig.from(ctx.config().root().section("rateLimits"));
    this.limiter = new RateLimiter(ctx.redis(), ctx.config().redis().keyPrefix(), registry);
    this.auth = new SessionApiAuth(identity.hmacAuth().withMaxBodySize(config.maxValueBytes() + ENVELOPE_BYTES),
        identity.tokenAuthenticator());
    this.perIp = RateLimitHandler.perSourceIp(limiter, RATE_LIMIT_SCOPE, limits.perSourceIp(), limits.apiFailOpen(),
        registry);
    for (String reason : new String[] {"bad_json", "bad_ttl", "bad_value", "missing_key", "ttl_out_of_bounds",
        "value_too_large"}) {
      rejections(reason); // exists at zero from the start
    }
    LOG.info("session keys: HMAC secret {}, consume {}, TTL {} s (bounds {}..{} s)", config.secretSource(),
        config.consume().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), config.defaultTtl().toSeconds(),
        config.minTtl().toSeconds(), config.maxTtl().toSeconds());
  }

  /** The session store, for other modules (caller authentication, the calls module's {@code acs:} keys). */
  public SessionStore store() {
    return store;
  }

  /** The shared Redis rate limiter (for {@code /api/call} and other APIs). */
  public RateLimiter rateLimiter() {
    return limiter;
  }

  public RateLimitsConfig rateLimits() {
    return limits;
  }

  /** Authentication by access key or by token scope, for APIs next to this one. */
  public SessionApiAuth auth() {
    return auth;
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    router.post("/api/sessions").handler(perIp).handler(auth.requiring(TokenScope.SESSIONS_WRITE))
        .handler(this::createSession);
    router.get("/api/sessions/:ref").handler(perIp).handler(auth.requiring(TokenScope.SESSIONS_READ))
        .handler(this::getSession);
    router.delete("/api/sessions/:ref").handler(perIp).handler(auth.requiring(TokenScope.SESSIONS_WRITE))
        .handler(this::deleteSession);
  }

  private void createSession(RoutingContext rc) {
    JsonObject body = jsonBody(rc);
    if (body == null) {
      return;
    }
    for (String field : body.fieldNames()) {
      if (!CREATE_FIELDS.contains(field)) {
        reject(rc, 400, "UnknownField", "unknown_field", "unknown field '" + bounded(field)
            + "'; allowed: key, value, ttlSeconds, replace");
        return;
      }
    }
    if (!(body.getValue("key") instanceof String keyText)) {
      reject(rc, 400, "InvalidKey", "missing_key", "key is required (a string)");
      return;
    }
    SessionKey key;
    try {
      key = store.rules().parse(keyText);
    } catch (InvalidSessionKeyException e) {
      reject(rc, 400, "InvalidKey", e.reason(), e.getMessage());
      return;
    }
    Object rawValue = body.getValue("value", new JsonObject());
    if (!(rawValue instanceof JsonObject value)) {
      reject(rc, 400, "InvalidValue", "bad_value", "value must be a JSON object (who, purpose, metadata)");
      return;
    }
    int valueBytes = value.encode().getBytes(StandardCharsets.UTF_8).length;
    if (valueBytes > store.config().maxValueBytes()) {
      reject(rc, 413, "ValueTooLarge", "value_too_large",
          "value must be at most " + store.config().maxValueBytes() + " bytes of JSON, got " + valueBytes);
      return;
    }
    Duration ttl = store.config().defaultTtl();
    Object rawTtl = body.getValue("ttlSeconds");
    if (rawTtl != null) {
      if (!(rawTtl instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        reject(rc, 400, "InvalidTtl", "bad_ttl", "ttlSeconds must be a whole number");
        return;
      }
      long seconds = n.longValue();
      if (seconds < store.config().minTtl().toSeconds() || seconds > store.config().maxTtl().toSeconds()) {
        reject(rc, 400, "InvalidTtl", "ttl_out_of_bounds", "ttlSeconds must be between "
            + store.config().minTtl().toSeconds() + " and " + store.config().maxTtl().toSeconds());
        return;
      }
      ttl = Duration.ofSeconds(seconds);
    }
    Object rawReplace = body.getValue("replace", Boolean.FALSE);
    if (!(rawReplace instanceof Boolean replace)) {
      reject(rc, 400, "InvalidReplace", "bad_replace", "replace must be true or false");
      return;
    }
    Duration storedTtl = ttl;
    store.store(key, value, ttl, replace, rc.get(SessionApiAuth.PRINCIPAL, "unknown")).onComplete(result -> {
      if (result.succeeded()) {
        StoredSession s = result.result();
        rc.response().setStatusCode(201)
            .putHeader("content-type", "application/json")
            .putHeader("Location", "/api/sessions/" + s.id())
            .end(new JsonObject().put("id", s.id()).put("key", s.redacted()).put("type", s.type().prefix())
                .put("expiresAt", s.expiresAt().toString()).put("ttlSeconds", storedTtl.toSeconds()).encode());
      } else if (result.cause() instanceof SessionConflictException) {
        reject(rc, 409, "Conflict", "conflict", "a key " + key.redacted()
            + " already exists; delete it first or send replace: true");
      } else {
        unavailable(rc, "store", result.cause());
      }
    });
  }

  private void getSession(RoutingContext rc) {
    String id = resolveId(rc);
    if (id == null) {
      return;
    }
    store.get(id).onComplete(result -> {
      if (result.failed()) {
        unavailable(rc, "get", result.cause());
      } else if (result.result().isEmpty()) {
        HttpErrors.send(rc, 404, "NotFound", "no such session (never stored, expired, consumed or deleted)");
      } else {
        rc.json(result.result().get().toApiJson());
      }
    });
  }

  private void deleteSession(RoutingContext rc) {
    String id = resolveId(rc);
    if (id == null) {
      return;
    }
    store.delete(id).onComplete(result -> {
      if (result.failed()) {
        unavailable(rc, "delete", result.cause());
      } else if (!result.result()) {
        HttpErrors.send(rc, 404, "NotFound", "no such session (never stored, expired, consumed or deleted)");
      } else {
        rc.response().setStatusCode(204).end();
      }
    });
  }

  /** The path's session reference as an id: an id as given, or a key (URL-encoded) turned into its id. */
  private String resolveId(RoutingContext rc) {
    String ref = rc.pathParam("ref");
    if (SessionStore.isId(ref)) {
      return ref;
    }
    try {
      return store.id(store.rules().parse(ref));
    } catch (InvalidSessionKeyException e) {
      reject(rc, 400, "InvalidKey", e.reason(), "not a session id or key: " + e.getMessage());
      return null;
    }
  }

  private JsonObject jsonBody(RoutingContext rc) {
    RequestBody body = rc.body();
    if (body == null || body.buffer() == null || body.buffer().length() == 0) {
      reject(rc, 400, "InvalidBody", "empty_body", "the body must be a JSON object");
      return null;
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(body.buffer());
      if (parsed instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      // answered below
    }
    reject(rc, 400, "InvalidBody", "bad_json", "the body must be a JSON object");
    return null;
  }

  private void reject(RoutingContext rc, int status, String code, String reason, String message) {
    rejections(reason).increment();
    HttpErrors.send(rc, status, code, message);
  }

  private Counter rejections(String reason) {
    return Counter.builder("tonegate.session.api.rejections")
        .description("Session API requests refused for bad input, by reason (authentication failures are counted by"
            + " the identity meters, rate limits by tonegate.ratelimit.rejections)")
        .tag("reason", reason)
        .register(registry);
  }

  private void unavailable(RoutingContext rc, String op, Throwable cause) {
    LOG.warn("session {} failed: {}", op, cause instanceof TimeoutException ? "Redis timeout" : cause.toString());
    HttpErrors.send(rc, 503, "ServiceUnavailable", "the session store is temporarily unavailable");
  }

  private static String bounded(String text) {
    String cleaned = text.replaceAll("[^A-Za-z0-9_.-]", "?");
    return cleaned.length() > 40 ? cleaned.substring(0, 40) + "..." : cleaned;
  }
}
