package io.tonegate.identity;

import io.tonegate.auth.JwtValidator;
import io.tonegate.auth.JwtValidatorConfig;
import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;
import io.tonegate.config.ServerConfig;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ACS-compatible identity API, served so the official Azure SDK ({@code CommunicationIdentityClient}) works
 * against Tonegate unchanged (acs-wire.md §4):
 *
 * <pre>
 * POST   /identities?api-version=...                          201 {identity:{id}, accessToken?:{token, expiresOn}}
 * DELETE /identities/{id}?api-version=...                     204  (revokes the identity's tokens)
 * POST   /identities/{id}/:issueAccessToken?api-version=...   200 {token, expiresOn}
 * POST   /identities/{id}/:revokeAccessTokens?api-version=... 204
 * GET    /.well-known/jwks.json                               public keys of Tonegate tokens (no auth)
 * GET    /.well-known/openid-configuration                    issuer and jwks_uri (no auth)
 * </pre>
 *
 * Requests are authenticated with ACS HMAC-SHA256 ({@link #hmacAuth()}, reusable by other modules); errors use
 * ACS's {@code CommunicationErrorResponse} body. Other features verify tokens with {@link #tokenAuthenticator()}.
 */
public final class IdentityModule implements GatewayModule {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityModule.class);
  /** ACS's expiresOn format: seven fractional digits and a numeric offset. */
  private static final DateTimeFormatter EXPIRES_ON =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSxxx").withZone(ZoneOffset.UTC);
  static final String GENERATED_KEY_FILE = "access-key";

  private final IdentityConfig config;
  private final ServerConfig server;
  private final Vertx vertx;
  private final Clock clock = Clock.systemUTC();
  private final SecureRandom random = new SecureRandom();
  private final IdentityMetrics metrics;
  private final IdentityStore store;
  private final Optional<SigningKeyStore> keyStore;
  private final AtomicReference<SigningKeyRing> ring = new AtomicReference<>();
  private final AccessTokenIssuer issuer;
  private final HmacAuthHandler hmacAuth;
  private final Optional<JwtValidator> bearer;
  private final ApiAuthHandler apiAuth;
  private final TokenAuthenticator tokenAuthenticator;
  private final Optional<AcsConnectionString> generatedConnectionString;
  private long refreshTimer = -1;

  public IdentityModule(GatewayContext ctx) {
    this.server = ctx.config().server();
    this.config = IdentityConfig.from(ctx.config().root(), server);
    this.vertx = ctx.vertx();
    this.metrics = new IdentityMetrics(ctx.registry());

    List<AcsAccessKey> keys = config.accessKeys();
    if (keys.isEmpty()) {
      if (!server.devMode()) {
        throw new ConfigException("accessKey", "must be set (base64, e.g. TONEGATE_ACCESS_KEY) when devMode is false");
      }
      AcsAccessKey generated = devAccessKey(server.dataDir().resolve("identity"), random);
      keys = List.of(generated);
      generatedConnectionString = Optional.of(new AcsConnectionString(URI.create(server.publicUrl() + "/"), generated));
    } else {
      generatedConnectionString = Optional.empty();
    }
    AcsHmacVerifier verifier = new AcsHmacVerifier(keys, config.hmacMaxClockSkew(), config.hmacExtraHosts(), clock);
    this.hmacAuth = new HmacAuthHandler(verifier, config.maxBodySize(), metrics);
    ConfigTree bearerSection = ctx.config().root().section("identity").section("bearer");
    if (bearerSection.bool("enabled")) {
      JwtValidatorConfig bearerConfig = JwtValidatorConfig.from(bearerSection, ctx.config().root().section("auth"));
      if (!bearerConfig.hasKeySource() || bearerConfig.issuer().isEmpty()) {
        throw new ConfigException(bearerSection.path("enabled"),
            "needs identity.bearer.issuer and one of jwksUrl, jwksFile, discoveryUrl");
      }
      this.bearer = Optional.of(JwtValidator.create(vertx, "identity-bearer", bearerConfig, ctx.registry()));
    } else {
      this.bearer = Optional.empty();
    }
    this.apiAuth = new ApiAuthHandler(hmacAuth, bearer);

    String keyPrefix = ctx.config().redis().keyPrefix();
    this.store = new IdentityStore(ctx.redis(), keyPrefix, config.retiredKeyPublication());
    if (config.signingKeyPath().isPresent()) {
      ring.set(ringFromFiles(config));
      keyStore = Optional.empty();
    } else {
      keyStore = Optional.of(new SigningKeyStore(vertx, ctx.redis(), keyPrefix, config.algorithm(),
          config.rotateEvery(), config.retiredKeyPublication(), clock));
    }
    this.issuer = new AccessTokenIssuer(config.issuer(), config.audience(), ring::get, clock);
    AccessTokenVerifier tokenVerifier = new AccessTokenVerifier(kid -> {
      SigningKeyRing current = ring.get();
      return current == null ? Optional.empty() : current.find(kid);
    }, config.issuer(), config.audience(), config.tokenClockSkew(), clock);
    this.tokenAuthenticator = new TokenAuthenticator(vertx, tokenVerifier, store, this::reloadKeys, metrics);
  }

  /** The HMAC-SHA256 route handler, for any API authenticated with the gateway's access keys. */
  public HmacAuthHandler hmacAuth() {
    return hmacAuth;
  }

  /** Access key (HMAC) or, when enabled, Entra-style bearer token: what the identity API itself requires. */
  public ApiAuthHandler apiAuth() {
    return apiAuth;
  }

  /** Verifies Tonegate access tokens (scope and revocation included) for the gateway's own endpoints. */
  public TokenAuthenticator tokenAuthenticator() {
    return tokenAuthenticator;
  }

  /** The connection string of the access key generated at start-up (dev mode with no key configured). */
  public Optional<AcsConnectionString> generatedConnectionString() {
    return generatedConnectionString;
  }

  /**
   * The identity mapped to {@code customId}, created on first use: idempotent and atomic across instances (twenty
   * concurrent first calls create one identity). For other modules, e.g. the app token route, which maps an OIDC
   * user to an identity. Fails when Redis does.
   *
   * @throws IllegalArgumentException (synchronously) when {@code customId} is not valid ({@link #checkCustomId})
   */
  public Future<CustomIdentity> identityForCustomId(String customId) {
    checkCustomId(customId);
    return store.identityForCustomId(customId, () -> IdentityId.generate(config.resourceId(), random), clock.instant())
        .onSuccess(mapped -> {
          if (mapped.created()) {
            metrics.identityCreated();
          }
        });
  }

  /**
   * Mints a token for an existing identity, with an {@code iat} after its revocation time, narrowed by
   * {@code grants}. Fails with {@link IllegalStateException} while the signing keys are not loaded, with
   * {@link java.util.NoSuchElementException} when the identity is unknown or deleted, or as Redis fails.
   */
  public Future<IssuedToken> issueToken(IdentityId id, Set<TokenScope> scopes, Duration validity,
                                        TokenGrants grants) {
    if (ring.get() == null) {
      return Future.failedFuture(new IllegalStateException("token signing keys are not loaded yet"));
    }
    return store.reserveIssue(id, clock.instant()).compose(iat -> {
      if (iat.isEmpty()) {
        return Future.failedFuture(new java.util.NoSuchElementException("identity " + id.rawId() + " does not exist"));
      }
      IssuedToken token = issuer.issueAt(id, scopes, validity, iat.get(), grants);
      metrics.tokenIssued();
      return Future.succeededFuture(token);
    });
  }

  /** The API's {@code expiresOn} text for an instant (ACS's format: seven fractional digits, numeric offset). */
  public static String formatExpiresOn(Instant instant) {
    return EXPIRES_ON.format(instant);
  }

  /** Longest accepted customId, in characters. */
  public static final int MAX_CUSTOM_ID_LENGTH = 512;

  /**
   * Checks a customId: 1 to {@value #MAX_CUSTOM_ID_LENGTH} characters, no control characters.
   *
   * @throws IllegalArgumentException with a message fit for a 400 answer
   */
  public static void checkCustomId(String customId) {
    if (customId == null || customId.isEmpty() || customId.length() > MAX_CUSTOM_ID_LENGTH
        || customId.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("The customId must be 1 to " + MAX_CUSTOM_ID_LENGTH
          + " characters without control characters.");
    }
  }

  @Override
  public void mount(Router router, Vertx vertx) {
    router.post("/identities").handler(timed("create")).handler(apiAuth).handler(this::createIdentity);
    router.routeWithRegex(HttpMethod.DELETE, "/identities/[^/]+").handler(timed("delete")).handler(apiAuth)
        .handler(this::deleteIdentity);
    router.routeWithRegex(HttpMethod.POST, "/identities/[^/]+/:issueAccessToken").handler(timed("issue"))
        .handler(apiAuth).handler(this::issueAccessToken);
    router.routeWithRegex(HttpMethod.POST, "/identities/[^/]+/:revokeAccessTokens").handler(timed("revoke"))
        .handler(apiAuth).handler(this::revokeAccessTokens);
    router.get("/.well-known/jwks.json").handler(this::jwks);
    router.get("/.well-known/openid-configuration").handler(this::openIdConfiguration);
  }

  @Override
  public Future<Void> start() {
    generatedConnectionString.ifPresent(cs -> {
      System.out.println("Access key generated for development (kept in " + server.dataDir().resolve("identity")
          .resolve(GENERATED_KEY_FILE) + "); connection string for the ACS SDKs:");
      System.out.println("  " + cs.format());
    });
    bearer.ifPresent(JwtValidator::start);
    if (keyStore.isEmpty()) {
      return Future.succeededFuture();
    }
    refreshTimer = vertx.setPeriodic(config.keyRefresh().toMillis(), id -> reloadKeys());
    // A Redis outage at start-up is not fatal: the API answers 503 until the periodic reload succeeds.
    return reloadKeys().otherwiseEmpty().mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    bearer.ifPresent(JwtValidator::close);
    return Future.succeededFuture();
  }

  /** Re-reads the shared key ring (rotating it when due). */
  Future<?> reloadKeys() {
    if (keyStore.isEmpty()) {
      return Future.succeededFuture();
    }
    return keyStore.get().load()
        .onSuccess(ring::set)
        .onFailure(err -> LOG.warn("could not load the token signing keys from Redis: {}", err.toString()));
  }

  // ---- handlers ------------------------------------------------------------------------------------------------

  private void createIdentity(RoutingContext rc) {
    if (!hasApiVersion(rc)) {
      return;
    }
    TokenRequest request = tokenRequest(rc, "createTokenWithScopes", false);
    if (request == null) {
      return;
    }
    JsonObject body = request.body();
    Set<TokenScope> scopes = request.scopes();
    Duration validity = request.validity();
    if (!scopes.isEmpty() && !keysReady(rc)) {
      return;
    }
    Optional<String> customIdField = Optional.ofNullable(body.containsKey("customId") ? "customId"
        : body.containsKey("externalId") ? "externalId" : null);
    if (customIdField.isPresent()) {
      createCustomIdentity(rc, customIdField.get(), body.getValue(customIdField.get()), scopes, validity);
      return;
    }
    IdentityId id = IdentityId.generate(config.resourceId(), random);
    Instant now = clock.instant();
    store.create(id, now).onComplete(result -> {
      if (result.failed() || !result.result()) {
        redisFailure(rc, result.cause());
        return;
      }
      metrics.identityCreated();
      JsonObject response = new JsonObject().put("identity", new JsonObject().put("id", id.rawId()));
      if (!scopes.isEmpty()) {
        response.put("accessToken", tokenJson(issuer.issue(id, scopes, validity)));
        metrics.tokenIssued();
      }
      rc.response().setStatusCode(201).putHeader("content-type", "application/json").end(response.encode());
    });
  }

  /**
   * Create with a customId (newer ACS api-versions; ACS's previews call the field externalId, both are accepted and
   * echoed as sent): the same customId always answers the same identity, 201 when this request created it, 200
   * when it existed.
   */
  private void createCustomIdentity(RoutingContext rc, String field, Object value, Set<TokenScope> scopes,
                                    Duration validity) {
    Future<CustomIdentity> mapped;
    try {
      if (!(value instanceof String customId)) {
        throw new IllegalArgumentException("The " + field + " value must be a string.");
      }
      mapped = identityForCustomId(customId);
    } catch (IllegalArgumentException e) {
      HttpErrors.send(rc, 400, "BadRequest", e.getMessage().replace("customId", field));
      return;
    }
    mapped.compose(identity -> {
      rc.response().setStatusCode(identity.created() ? 201 : 200);
      JsonObject response = new JsonObject()
          .put("identity", new JsonObject().put("id", identity.id().rawId()).put(field, value));
      return scopes.isEmpty() ? Future.succeededFuture(response)
          : issueToken(identity.id(), scopes, validity, TokenGrants.NONE)
              .map(token -> response.put("accessToken", tokenJson(token)));
    }).onComplete(result -> {
      if (result.failed()) {
        redisFailure(rc, result.cause());
      } else {
        rc.response().putHeader("content-type", "application/json").end(result.result().encode());
      }
    });
  }

  private void issueAccessToken(RoutingContext rc) {
    Optional<IdentityId> id = identityFromPath(rc, "/:issueAccessToken");
    if (id.isEmpty() || !hasApiVersion(rc)) {
      return;
    }
    TokenRequest request = tokenRequest(rc, "scopes", true);
    if (request == null || !keysReady(rc)) {
      return;
    }
    store.reserveIssue(id.get(), clock.instant()).onComplete(result -> {
      if (result.failed()) {
        redisFailure(rc, result.cause());
      } else if (result.result().isEmpty()) {
        identityNotFound(rc, id.get());
      } else {
        IssuedToken token = issuer.issueAt(id.get(), request.scopes(), request.validity(), result.result().get());
        metrics.tokenIssued();
        rc.response().putHeader("content-type", "application/json").end(tokenJson(token).encode());
      }
    });
  }

  private void revokeAccessTokens(RoutingContext rc) {
    Optional<IdentityId> id = identityFromPath(rc, "/:revokeAccessTokens");
    if (id.isEmpty() || !hasApiVersion(rc)) {
      return;
    }
    store.revoke(id.get(), clock.instant()).onComplete(result -> {
      if (result.failed()) {
        redisFailure(rc, result.cause());
      } else if (!result.result()) {
        identityNotFound(rc, id.get());
      } else {
        metrics.revoked(false);
        rc.response().setStatusCode(204).end();
      }
    });
  }

  private void deleteIdentity(RoutingContext rc) {
    Optional<IdentityId> id = identityFromPath(rc, "");
    if (id.isEmpty() || !hasApiVersion(rc)) {
      return;
    }
    // The customId (if any) is read first and its mapping released after the delete, so the customId maps to a
    // new identity next time. Should the release fail, the next use finds the tombstone and replaces the mapping.
    store.customIdOf(id.get()).otherwise(Optional.empty()).compose(customId -> store.delete(id.get())
        .compose(deleted -> deleted && customId.isPresent()
            ? store.releaseCustomId(customId.get(), id.get()).otherwiseEmpty().map(deleted)
            : Future.succeededFuture(deleted)))
        .onComplete(result -> {
          if (result.failed()) {
            redisFailure(rc, result.cause());
          } else if (!result.result()) {
            identityNotFound(rc, id.get());
          } else {
            metrics.revoked(true);
            rc.response().setStatusCode(204).end();
          }
        });
  }

  private void jwks(RoutingContext rc) {
    SigningKeyRing current = ring.get();
    if (current == null) {
      HttpErrors.send(rc, 503, "ServiceUnavailable", "signing keys are not loaded yet");
      return;
    }
    // Short cache: verifiers should also refetch when they meet an unknown kid (a key rotated in since).
    rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "public, max-age=60")
        .end(current.jwksJson());
  }

  private void openIdConfiguration(RoutingContext rc) {
    rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "public, max-age=3600")
        .end(OpenIdConfiguration.toJson(config.issuer(), server.publicUrl() + "/.well-known/jwks.json",
            config.algorithm()));
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private io.vertx.core.Handler<RoutingContext> timed(String operation) {
    return rc -> {
      long start = System.nanoTime();
      rc.addEndHandler(v -> metrics.requestTime(operation, rc.response().getStatusCode(), System.nanoTime() - start));
      rc.next();
    };
  }

  private static boolean hasApiVersion(RoutingContext rc) {
    String version = rc.queryParams().get("api-version");
    if (version == null || version.isBlank()) {
      HttpErrors.send(rc, 400, "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.");
      return false;
    }
    return true;
  }

  /** The request body as an object ({} when empty), or null after answering 400. */
  private static JsonObject jsonBody(RoutingContext rc) {
    if (rc.body() == null || rc.body().length() == 0) {
      return new JsonObject();
    }
    try {
      JsonObject body = rc.body().asJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException e) {
      HttpErrors.send(rc, 400, "BadRequest", "The request body is not a JSON object.");
      return null;
    }
  }

  /** The JSON body of a create or issue request, with the scopes and token validity it asks for. */
  private record TokenRequest(JsonObject body, Set<TokenScope> scopes, Duration validity) {
  }

  /** Reads the body's scopes (from {@code scopesField}) and validity; answers 400 and returns null when bad. */
  private TokenRequest tokenRequest(RoutingContext rc, String scopesField, boolean scopesRequired) {
    JsonObject body = jsonBody(rc);
    if (body == null) {
      return null;
    }
    try {
      return new TokenRequest(body, scopes(body, scopesField, scopesRequired),
          AccessTokenIssuer.validityFromMinutes(expiresInMinutes(body)));
    } catch (IllegalArgumentException e) {
      HttpErrors.send(rc, 400, "BadRequest", e.getMessage());
      return null;
    }
  }

  private static Set<TokenScope> scopes(JsonObject body, String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        throw new IllegalArgumentException("The '" + field + "' field is required.");
      }
      return Set.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException("The '" + field + "' field must be an array of scope names.");
    }
    List<String> names = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException("The '" + field + "' field must be an array of scope names.");
      }
      names.add(s);
    }
    if (required && names.isEmpty()) {
      throw new IllegalArgumentException("The '" + field + "' field must name at least one scope.");
    }
    return TokenScope.parseAll(names);
  }

  private static Integer expiresInMinutes(JsonObject body) {
    Object value = body.getValue("expiresInMinutes");
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new IllegalArgumentException("The expiresInMinutes value must be a whole number of minutes.");
  }

  /** The identity named in the path (raw or percent-encoded), or empty after answering 404. */
  private Optional<IdentityId> identityFromPath(RoutingContext rc, String suffix) {
    String path = rc.request().path();
    String prefix = "/identities/";
    Optional<IdentityId> id = Optional.empty();
    if (path.startsWith(prefix) && path.endsWith(suffix) && path.length() > prefix.length() + suffix.length()) {
      String raw = path.substring(prefix.length(), path.length() - suffix.length());
      try {
        id = IdentityId.parse(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        id = Optional.empty();
      }
    }
    if (id.isEmpty() || !id.get().resourceId().equals(config.resourceId())) {
      HttpErrors.send(rc, 404, "IdentityNotFound", "No such identity.");
      return Optional.empty();
    }
    return id;
  }

  private static void identityNotFound(RoutingContext rc, IdentityId id) {
    HttpErrors.send(rc, 404, "IdentityNotFound", "Identity " + id.rawId() + " does not exist.");
  }

  private boolean keysReady(RoutingContext rc) {
    if (ring.get() == null) {
      HttpErrors.send(rc, 503, "ServiceUnavailable", "Token signing keys are not loaded yet; retry shortly.");
      return false;
    }
    return true;
  }

  private static void redisFailure(RoutingContext rc, Throwable cause) {
    LOG.warn("identity store unavailable: {}", cause == null ? "identity id collision" : cause.toString());
    HttpErrors.send(rc, 503, "ServiceUnavailable", "The identity store is unavailable; retry shortly.");
  }

  private static JsonObject tokenJson(IssuedToken token) {
    return new JsonObject().put("token", token.token()).put("expiresOn", EXPIRES_ON.format(token.expiresOn()));
  }

  /** Reads (or creates once, owner-only) the development access key under {@code dir}. */
  static AcsAccessKey devAccessKey(Path dir, SecureRandom random) {
    Path file = dir.resolve(GENERATED_KEY_FILE);
    try {
      if (Files.exists(file)) {
        return AcsAccessKey.fromBase64(Files.readString(file, StandardCharsets.US_ASCII).trim());
      }
      Files.createDirectories(dir);
      AcsAccessKey key = AcsAccessKey.generate(random);
      Path tmp = Files.createTempFile(dir, GENERATED_KEY_FILE, ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the data directory's own protection applies
      }
      Files.writeString(tmp, key.toBase64() + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the development access key in " + dir, e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("accessKey", "the generated key file " + file + " is corrupt: " + e.getMessage());
    }
  }

  private static SigningKeyRing ringFromFiles(IdentityConfig config) {
    SigningKey current = keyFromFile(config.algorithm(), config.signingKeyPath().orElseThrow(),
        "identity.tokens.signingKeyPath");
    List<SigningKeyRing.RetiredKey> previous = new ArrayList<>();
    for (Path path : config.previousKeyPaths()) {
      previous.add(new SigningKeyRing.RetiredKey(
          keyFromFile(config.algorithm(), path, "identity.tokens.previousKeyPaths").publicOnly(),
          Instant.parse("9999-12-31T23:59:59Z")));   // published for as long as it is configured
    }
    return SigningKeyRing.of(current, previous);
  }

  private static SigningKey keyFromFile(JwtAlgorithm algorithm, Path path, String configKey) {
    try {
      return SigningKey.fromPem(algorithm, Files.readString(path, StandardCharsets.US_ASCII), Instant.EPOCH);
    } catch (IOException e) {
      throw new ConfigException(configKey, "cannot read " + path + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(configKey, path + ": " + e.getMessage());
    }
  }
}
