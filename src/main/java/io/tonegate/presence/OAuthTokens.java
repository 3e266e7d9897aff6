package io.tonegate.presence;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Access tokens for the poller from an OAuth 2.0 token endpoint: the client-credentials grant (RFC 6749 §4.4, one
 * application token) or the refresh-token grant (§6, one token per user, from the refresh token given at
 * registration; a rotated refresh token is stored back, encrypted). Tokens are cached in memory until a minute
 * before they expire, or until the API answers 401. Used on the poller's context only.
 */
final class OAuthTokens {

  /** Refresh a cached token this long before its {@code expires_in} runs out. */
  private static final long EARLY_MS = 60_000;

  private record Cached(String token, long expiresAtMs) {
  }

  private final WebClient http;
  private final PollerConfig config;
  private final PollRegistry registry;
  private final LongSupplier clockMs;
  private final Map<String, Cached> cache = new HashMap<>();

  OAuthTokens(WebClient http, PollerConfig config, PollRegistry registry, LongSupplier clockMs) {
    this.http = http;
    this.config = config;
    this.registry = registry;
    this.clockMs = clockMs;
  }

  /** A token to fetch {@code registration}'s presence with. */
  Future<String> token(PollRegistry.Registration registration) {
    String cacheKey = config.grant() == PollerConfig.Grant.CLIENT_CREDENTIALS ? "" : registration.user();
    Cached cached = cache.get(cacheKey);
    if (cached != null && cached.expiresAtMs() > clockMs.getAsLong()) {
      return Future.succeededFuture(cached.token());
    }
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("client_id", config.clientId());
    config.clientSecret().ifPresent(secret -> form.add("client_secret", secret));
    if (!config.scope().isEmpty()) {
      form.add("scope", config.scope());
    }
    if (config.grant() == PollerConfig.Grant.CLIENT_CREDENTIALS) {
      form.add("grant_type", "client_credentials");
    } else {
      Optional<String> refresh = registration.refreshToken();
      if (refresh.isEmpty()) {
        return Future.failedFuture(new TokenUnavailable("no_refresh_token"));
      }
      form.add("grant_type", "refresh_token").add("refresh_token", refresh.get());
    }
    return http.postAbs(config.tokenUrl()).timeout(config.requestTimeout().toMillis()).sendForm(form)
        .compose(response -> accept(cacheKey, registration, response));
  }

  /** Forget a token the API refused (401): the next request gets a new one. */
  void invalidate(PollRegistry.Registration registration) {
    cache.remove(config.grant() == PollerConfig.Grant.CLIENT_CREDENTIALS ? "" : registration.user());
  }

  private Future<String> accept(String cacheKey, PollRegistry.Registration registration, HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture(new TokenUnavailable("token_" + response.statusCode()));
    }
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    String token = body == null ? null : body.getString("access_token");
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new TokenUnavailable("token_malformed"));
    }
    long expiresIn = body.getValue("expires_in") instanceof Number n ? n.longValue() : 3600;
    cache.put(cacheKey, new Cached(token, clockMs.getAsLong() + Math.max(0, expiresIn * 1000 - EARLY_MS)));
    String rotated = body.getString("refresh_token");
    if (rotated != null && config.grant() == PollerConfig.Grant.REFRESH_TOKEN
        && !rotated.equals(registration.refreshToken().orElse(null))) {
      return registry.updateRefreshToken(registration.user(), registration.remoteId(), rotated).map(token);
    }
    return Future.succeededFuture(token);
  }

  /** No token could be had; {@code reason} is a bounded metric label. */
  static final class TokenUnavailable extends RuntimeException {
    final String reason;

    TokenUnavailable(String reason) {
      super(reason, null, false, false);
      this.reason = reason;
    }
  }
}
