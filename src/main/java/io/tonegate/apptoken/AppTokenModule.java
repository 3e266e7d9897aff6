package io.tonegate.apptoken;

import io.tonegate.auth.AuthFailure;
import io.tonegate.auth.JwtValidationException;
import io.tonegate.auth.JwtValidator;
import io.tonegate.auth.ValidatedJwt;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.gateway.HttpErrors;
import io.tonegate.identity.IdentityModule;
import io.tonegate.identity.TokenScope;
import io.tonegate.ratelimit.RateDecision;
import io.tonegate.ratelimit.RateLimit;
import io.tonegate.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/token}: a user signed in with the app's own OIDC provider (Entra ID, Auth0, Keycloak, ...) gets
 * their communication identity and a short-lived, scoped Tonegate token, the route every ACS app otherwise writes
 * by hand (docs/app-token.md). The decision is a flat list of steps, each with its own outcome:
 * <ol>
 *   <li>rate limit per client IP (before any token work, so floods of bad tokens are limited too);</li>
 *   <li>the bearer token, checked by the shared {@link JwtValidator} of the provider its {@code iss} names
 *       (signature by {@code kid} from the provider's JWKS, algorithm allow-list, expiry with skew, issuer,
 *       audience), and its subject claim;</li>
 *   <li>rate limit per user;</li>
 *   <li>the body ({@code scopes}, {@code expiresInMinutes}, {@code grants}) and the scope policy;</li>
 *   <li>the user's identity (customId {@code oidc|<issuer>|<subject>}, created on first use, atomically) and a token
 *       minted by the identity module.</li>
 * </ol>
 * The answer has the identity API's shape, {@code {"identity":{"id"},"accessToken":{"token","expiresOn"}}}, so a
 * client's token-refresh callback can call this route directly. Every decision is counted in
 * {@code tonegate.apptoken.requests{outcome}}.
 */
public final class AppTokenModule implements GatewayModule {

  private static final Logger LOG = LoggerFactory.getLogger(AppTokenModule.class);
  public static final String PATH = "/api/token";
  /** The rate-limit scopes (the {@code scope} tag of {@code tonegate.ratelimit.rejections}). */
  static final String IP_SCOPE = "apptoken-ip";
  static final String USER_SCOPE = "apptoken-user";
  /** Longest subject accepted (Entra oid/sub, Auth0 "provider|id", Keycloak UUIDs are far shorter). */
  static final int MAX_SUBJECT_LENGTH = 255;

  private final AppTokenConfig config;
  private final IdentityModule identity;
  private final RateLimiter limiter;
  private final AppTokenMetrics metrics;
  private final List<ActiveProvider> providers = new ArrayList<>();

  /** A configured provider with its validator. */
  private record ActiveProvider(AppTokenConfig.Provider config, JwtValidator validator) {
  }

  /** A refused request: status, ACS-style error code and message, and the outcome counted. */
  private static final class Refusal extends RuntimeException {
    final AppTokenOutcome outcome;
    final int status;
    final String code;
    Duration retryAfter = Duration.ZERO;
    String wwwAuthenticate;

    Refusal(AppTokenOutcome outcome, int status, String code, String message) {
      super(message, null, false, false);
      this.outcome = outcome;
      this.status = status;
      this.code = code;
    }
  }

  /** The signed-in user: provider, validated token, and the customId of their identity. */
  private record User(ActiveProvider provider, ValidatedJwt jwt, String customId) {
  }

  /**
   * @param identity the identity module (customId mapping, token minting)
   * @param limiter  the gateway's shared Redis rate limiter (sliding window, all instances)
   */
  public AppTokenModule(GatewayContext ctx, IdentityModule identity, RateLimiter limiter) {
    this.config = AppTokenConfig.from(ctx.config().root());
    this.identity = identity;
    this.limiter = limiter;
    this.metrics = new AppTokenMetrics(ctx.registry());
    for (String scope : List.of(IP_SCOPE, USER_SCOPE)) {
      RateLimiter.rejected(ctx.registry(), scope);   // exported at 0 from the start
    }
    if (config.enabled()) {
      for (AppTokenConfig.Provider provider : config.providers()) {
        providers.add(new ActiveProvider(provider, JwtValidator.create(ctx.vertx(), "apptoken-" + provider.name(),
            provider.validator(), ctx.registry())));
      }
    }
  }

  public AppTokenConfig config() {
    return config;
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    if (config.enabled()) {
      router.post(PATH).handler(this::issueToken);
    }
  }

  @Override
  public Future<Void> start() {
    // Preloads every provider's keys; an unreachable provider is retried on demand (503 until it answers).
    return Future.join(providers.stream().map(p -> p.validator().start()).toList()).mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    providers.forEach(p -> p.validator().close());
    return Future.succeededFuture();
  }

  // ---- the route -----------------------------------------------------------------------------------------------

  private void issueToken(RoutingContext rc) {
    long start = System.nanoTime();
    Future<JsonObject> decision;
    try {
      decision = decide(rc);
    } catch (RuntimeException e) {
      decision = Future.failedFuture(e);
    }
    decision.onComplete(result -> {
      // Counted before the answer is written, so whoever reads the answer also sees the count.
      if (result.succeeded()) {
        metrics.record(AppTokenOutcome.ISSUED, System.nanoTime() - start);
        rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
            .end(result.result().encode());
      } else if (result.cause() instanceof Refusal refusal) {
        metrics.record(refusal.outcome, System.nanoTime() - start);
        if (!refusal.retryAfter.isZero()) {
          rc.response().putHeader("Retry-After", Long.toString(Math.max(1, (refusal.retryAfter.toMillis() + 999) / 1000)));
        }
        if (refusal.wwwAuthenticate != null) {
          rc.response().putHeader("WWW-Authenticate", refusal.wwwAuthenticate);
        }
        HttpErrors.send(rc, refusal.status, refusal.code, refusal.getMessage());
      } else {
        metrics.record(AppTokenOutcome.UNAVAILABLE, System.nanoTime() - start);
        LOG.warn("app token request failed: {}", result.cause().toString());
        HttpErrors.send(rc, 503, "ServiceUnavailable", "The token service is unavailable; retry shortly.");
      }
    });
  }

  private Future<JsonObject> decide(RoutingContext rc) {
    Buffer body = rc.body() == null ? null : rc.body().buffer();
    if (body != null && body.length() > config.maxBodySize()) {
      throw new Refusal(AppTokenOutcome.BAD_REQUEST, 413, "PayloadTooLarge",
          "The request body is larger than " + config.maxBodySize() + " bytes.");
    }
    SocketAddress peer = rc.request().remoteAddress();
    String ip = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    return limit(IP_SCOPE, ip, config.perIp(), AppTokenOutcome.RATE_LIMITED_IP)
        .compose(v -> authenticate(rc.request().getHeader("Authorization")))
        .compose(user -> limit(USER_SCOPE, user.customId(), config.perUser(), AppTokenOutcome.RATE_LIMITED_USER)
            .map(user))
        .compose(user -> issueFor(user, body));
  }

  private Future<Void> limit(String scope, String subject, RateLimit limit, AppTokenOutcome refused) {
    return limiter.acquire(scope, subject, limit).transform(result -> {
      if (result.failed()) {
        if (config.rateLimitFailOpen()) {
          LOG.warn("rate limit {} could not be checked ({}); letting the request through", scope,
              result.cause().toString());
          return Future.succeededFuture();
        }
        return Future.failedFuture(new Refusal(AppTokenOutcome.UNAVAILABLE, 503, "ServiceUnavailable",
            "The rate limit cannot be checked; retry shortly."));
      }
      RateDecision decision = result.result();
      if (decision.allowed()) {
        return Future.succeededFuture();
      }
      Refusal refusal = new Refusal(refused, 429, "TooManyRequests", refused == AppTokenOutcome.RATE_LIMITED_IP
          ? "Too many token requests from this address; retry later."
          : "Too many token requests for this user; retry later.");
      refusal.retryAfter = decision.retryAfter();
      return Future.failedFuture(refusal);
    });
  }

  private Future<User> authenticate(String authorization) {
    ActiveProvider provider = providerFor(authorization);
    return provider.validator().validateBearer(authorization).transform(result -> {
      if (result.failed()) {
        AuthFailure reason = result.cause() instanceof JwtValidationException e ? e.reason()
            : AuthFailure.KEYS_UNAVAILABLE;
        if (reason == AuthFailure.KEYS_UNAVAILABLE) {
          Refusal refusal = new Refusal(AppTokenOutcome.PROVIDER_UNAVAILABLE, 503, "IdentityProviderUnavailable",
              "The signing keys of identity provider '" + provider.config().name()
                  + "' cannot be loaded (its JWKS endpoint does not answer); retry later.");
          refusal.retryAfter = Duration.ofSeconds(5);
          return Future.failedFuture(refusal);
        }
        return Future.failedFuture(unauthenticated(reason));
      }
      ValidatedJwt jwt = result.result();
      String subject = jwt.stringClaim(provider.config().subjectClaim()).orElse("");
      if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH
          || subject.chars().anyMatch(Character::isISOControl)) {
        provider.validator().recordFailure(AuthFailure.INVALID_CLAIMS);
        return Future.failedFuture(unauthenticated(AuthFailure.INVALID_CLAIMS));
      }
      String customId = "oidc|" + provider.config().issuer() + "|" + subject;
      return Future.succeededFuture(new User(provider, jwt, customId));
    });
  }

  /** The provider whose issuer the (not yet verified) token names; the first one when none matches. */
  private ActiveProvider providerFor(String authorization) {
    if (providers.size() == 1 || authorization == null) {
      return providers.get(0);
    }
    String issuer = unverifiedIssuer(authorization);
    for (ActiveProvider provider : providers) {
      if (provider.config().issuer().equals(issuer)) {
        return provider;
      }
    }
    return providers.get(0);   // its validator refuses the token with a counted reason
  }

  private Future<JsonObject> issueFor(User user, Buffer body) {
    AppTokenRequest request;
    try {
      request = AppTokenRequest.parse(bodyMap(body), config);
    } catch (IllegalArgumentException e) {
      throw new Refusal(AppTokenOutcome.BAD_REQUEST, 400, "BadRequest", e.getMessage());
    }
    Set<TokenScope> denied = config.policy().denied(user.provider().config().name(), user.jwt().claims().getMap(),
        request.scopes());
    if (!denied.isEmpty()) {
      throw new Refusal(AppTokenOutcome.SCOPE_DENIED, 403, "ScopeNotAllowed",
          "Scopes not allowed for this user: " + TokenScope.wireNames(denied) + ".");
    }
    return identity.identityForCustomId(user.customId())
        .compose(mapped -> {
          if (mapped.created()) {
            LOG.info("app token: new identity {} for a user of provider {}", mapped.id(), user.provider().config().name());
          }
          return identity.issueToken(mapped.id(), request.scopes(), request.validity(), request.grants())
              .map(token -> new JsonObject()
                  .put("identity", new JsonObject().put("id", mapped.id().rawId()))
                  .put("accessToken", new JsonObject().put("token", token.token())
                      .put("expiresOn", IdentityModule.formatExpiresOn(token.expiresOn()))));
        });
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private static Refusal unauthenticated(AuthFailure reason) {
    Refusal refusal = new Refusal(AppTokenOutcome.UNAUTHENTICATED, 401, "InvalidToken", reason == AuthFailure.MISSING_TOKEN
        ? "An Authorization: Bearer token from the app's identity provider is required."
        : "The bearer token was refused.");
    // RFC 6750 §3: the scheme, and invalid_token when a token was presented.
    refusal.wwwAuthenticate = reason == AuthFailure.MISSING_TOKEN ? "Bearer" : "Bearer error=\"invalid_token\"";
    return refusal;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> bodyMap(Buffer body) {
    if (body == null || body.length() == 0) {
      return Map.of();
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(body);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("The request body is not JSON.");
    }
    if (decoded == null) {
      return Map.of();
    }
    if (!(decoded instanceof JsonObject object)) {
      throw new IllegalArgumentException("The request body must be a JSON object.");
    }
    // Plain maps and lists all the way down, for the pure parsers.
    return (Map<String, Object>) Json.decodeValue(object.encode(), Map.class);
  }

  /** The {@code iss} of a bearer token's payload, read without verification (only to pick the provider). */
  static String unverifiedIssuer(String authorization) {
    try {
      String value = authorization.trim();
      String token = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value;
      int dot1 = token.indexOf('.');
      int dot2 = token.indexOf('.', dot1 + 1);
      if (dot1 <= 0 || dot2 <= dot1 || token.length() > 16_384) {
        return null;
      }
      byte[] payload = Base64.getUrlDecoder().decode(token.substring(dot1 + 1, dot2));
      Object iss = new JsonObject(new String(payload, StandardCharsets.UTF_8)).getValue("iss");
      return iss instanceof String s ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
