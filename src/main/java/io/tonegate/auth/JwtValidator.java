package io.tonegate.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.Objects;

/**
 * Validates externally issued JWTs (RS256/ES256) for one configured use: ACS media WebSocket tokens, ACS callback
 * tokens, Event Grid Entra tokens, OIDC bearer tokens. Non-blocking: signature checks run on the calling event loop
 * (an RS256 verification costs tens of microseconds), key loads go through the {@link KeySource}. Thread-safe, one
 * instance per use and process.
 *
 * <pre>{@code
 * JwtValidator acs = JwtValidator.create(vertx, "acs-media", JwtValidatorConfig.from(section, auth), registry);
 * acs.start();                                   // preloads the JWKS; never fails
 * acs.validateBearer(request.getHeader("Authorization"))
 *    .onSuccess(jwt -> ...)                       // ValidatedJwt: claims, kid, exp
 *    .onFailure(e -> ...);                        // JwtValidationException: reason() is an AuthFailure
 * }</pre>
 *
 * Every refusal is counted in {@code tonegate.auth.failures{validator,reason}}; every key load in
 * {@code tonegate.auth.jwks.fetches{validator,outcome}}.
 */
public final class JwtValidator {

  private final String name;
  private final JwtValidatorConfig config;
  private final KeySource keys;
  private final AuthMetrics metrics;
  private final Clock clock;

  private JwtValidator(String name, JwtValidatorConfig config, KeySource keys, AuthMetrics metrics, Clock clock) {
    this.name = name;
    this.config = config;
    this.keys = keys;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** A validator whose keys come from the configured URL, discovery document or file. */
  public static JwtValidator create(Vertx vertx, String name, JwtValidatorConfig config, MeterRegistry registry) {
    return create(vertx, name, config, registry, Clock.systemUTC(), null);
  }

  /**
   * As {@link #create(Vertx, String, JwtValidatorConfig, MeterRegistry)}, with a clock (tests) and optional extra
   * keys looked up before the configured source (the dev-mode simulator key).
   */
  public static JwtValidator create(Vertx vertx, String name, JwtValidatorConfig config, MeterRegistry registry,
                                    Clock clock, KeySource extraKeys) {
    AuthMetrics metrics = new AuthMetrics(registry, name);
    KeySource configured;
    if (config.jwksFile().isPresent()) {
      configured = new FileJwksSource(vertx, name, config.jwksFile().get(), config, clock, metrics);
    } else if (config.hasKeySource()) {
      configured = new RemoteJwksSource(vertx, name, config, clock, metrics);
    } else {
      configured = KeySource.of(JwkSet.empty());
    }
    KeySource keys = extraKeys == null ? configured : KeySource.firstOf(extraKeys, configured);
    return new JwtValidator(name, config, keys, metrics, clock);
  }

  /** A validator over an explicit key source (tests, embedders). */
  public static JwtValidator withKeys(String name, JwtValidatorConfig config, KeySource keys, MeterRegistry registry,
                                      Clock clock) {
    return new JwtValidator(name, config, keys, new AuthMetrics(registry, name), clock);
  }

  public String name() {
    return name;
  }

  public JwtValidatorConfig config() {
    return config;
  }

  /** Preloads the keys. Never fails: an unreachable JWKS is logged, counted and retried on demand. */
  public Future<Void> start() {
    return keys.start().otherwiseEmpty();
  }

  public void close() {
    keys.close();
  }

  /** Validates the token of an {@code Authorization: Bearer <token>} header value. */
  public Future<ValidatedJwt> validateBearer(String authorization) {
    String token;
    try {
      token = JwtChecks.bearerToken(authorization);
    } catch (JwtValidationException e) {
      return refuse(e);
    }
    return validate(token);
  }

  /** Validates a compact JWS. Fails with a {@link JwtValidationException} whose reason has been counted. */
  public Future<ValidatedJwt> validate(String token) {
    ParsedJwt parsed;
    try {
      parsed = JwtChecks.parse(token, config.maxTokenLength(), config.algorithms());
    } catch (JwtValidationException e) {
      return refuse(e);
    }
    return keys.find(parsed.kid()).transform(found -> {
      if (found.failed()) {
        return refuse(found.cause() instanceof JwtValidationException e
            ? e : JwtChecks.fail(AuthFailure.KEYS_UNAVAILABLE, "key lookup failed"));
      }
      try {
        ValidatedJwt jwt = JwtChecks.verify(parsed, found.result(), config.issuer().orElse(null),
            config.audiences(), config.clockSkew().toSeconds(), clock.instant());
        metrics.accepted();
        return Future.succeededFuture(jwt);
      } catch (JwtValidationException e) {
        return refuse(e);
      }
    });
  }

  /** Counts a refusal a caller decided after validation (e.g. {@link AuthFailure#NOT_PERMITTED}). */
  public void recordFailure(AuthFailure reason) {
    metrics.failure(Objects.requireNonNull(reason));
  }

  private <T> Future<T> refuse(JwtValidationException e) {
    metrics.failure(e.reason());
    return Future.failedFuture(e);
  }
}
