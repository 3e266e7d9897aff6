package io.tonegate.presence;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * How presence authenticates its callers. {@link TokenPresenceAccess} is the real one: Tonegate access tokens
 * (scopes {@code presence.read}/{@code presence.write}, revocation honoured) from the identity capability, and its
 * ACS HMAC handler for services. Token checks fail with {@link PresenceAccessDenied}, never with a stack trace for
 * the client.
 */
public interface PresenceAccess {

  /** A subscriber's or reader's bearer token (scope {@code presence.read}); {@code token} is null when none was sent. */
  Future<PresenceGrant> authorizeReader(String token);

  /** A writer's bearer token (scope {@code presence.write}). */
  Future<PresenceGrant> authorizeWriter(String token);

  /**
   * The route handler for service requests (ACS HMAC-SHA256 signed): calls {@code rc.next()} when the signature
   * verifies and answers 401 itself otherwise.
   */
  Handler<RoutingContext> serviceAuth();

  /** Refuses everything with 503: presence is mounted but unusable until an access implementation is wired. */
  static PresenceAccess denyAll() {
    PresenceAccessDenied denied = new PresenceAccessDenied(503, "auth_unavailable",
        "presence authentication is not configured");
    return new PresenceAccess() {
      @Override
      public Future<PresenceGrant> authorizeReader(String token) {
        return Future.failedFuture(denied);
      }

      @Override
      public Future<PresenceGrant> authorizeWriter(String token) {
        return Future.failedFuture(denied);
      }

      @Override
      public Handler<RoutingContext> serviceAuth() {
        return rc -> rc.fail(503);
      }
    };
  }

  /** The bearer token of a request: the Authorization header, else {@code access_token} (WebSocket/EventSource). */
  static String bearerToken(String authorizationHeader, String accessTokenParam) {
    if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorizationHeader.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    return accessTokenParam == null || accessTokenParam.isBlank() ? null : accessTokenParam.trim();
  }
}
