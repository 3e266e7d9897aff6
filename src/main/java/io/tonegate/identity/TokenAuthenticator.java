package io.tonegate.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Checks Tonegate access tokens for the gateway's own endpoints (media WebSocket with {@link TokenScope#MEDIA},
 * presence subscriptions with {@link TokenScope#PRESENCE_READ}, ...): signature by {@code kid}, algorithm
 * allow-list, expiry with skew, issuer, audience, the required scope, and the identity's revocation state in Redis
 * (so a revocation on any instance takes effect everywhere at once). Fails closed when Redis cannot answer.
 *
 * <pre>{@code
 * TokenAuthenticator tokens = identityModule.tokenAuthenticator();
 * tokens.authenticate(jwt, TokenScope.MEDIA)
 *     .onSuccess(token -> accept(token.identityId()))
 *     .onFailure(err -> reject(((TokenRejectedException) err).reason()));   // always a TokenRejectedException
 * }</pre>
 *
 * Counts {@code tonegate.identity.token.accepted} and {@code tonegate.identity.token.rejections{reason}}.
 */
public final class TokenAuthenticator {

  /** Least time between key-ring reloads triggered by an unknown kid (a just-rotated key elsewhere). */
  private static final long RELOAD_INTERVAL_NANOS = 1_000_000_000L;

  private final Vertx vertx;
  private final AccessTokenVerifier verifier;
  private final RevocationLookup revocations;
  private final Supplier<Future<?>> reloadKeys;
  private final IdentityMetrics metrics;
  private volatile long lastReloadNanos = System.nanoTime();

  TokenAuthenticator(Vertx vertx, AccessTokenVerifier verifier, IdentityStore store, Supplier<Future<?>> reloadKeys,
                     IdentityMetrics metrics) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.revocations = id -> store.revokedBefore(id).toCompletionStage();
    this.reloadKeys = reloadKeys;
    this.metrics = metrics;
  }

  /**
   * Verifies {@code jwt} fully. The future fails with a {@link TokenRejectedException} naming the reason; it never
   * fails with anything else.
   */
  public Future<VerifiedToken> authenticate(String jwt, TokenScope requiredScope) {
    return attempt(jwt, requiredScope).recover(error -> {
      if (error instanceof TokenRejectedException rejected && rejected.reason() == TokenRejection.UNKNOWN_KEY
          && System.nanoTime() - lastReloadNanos > RELOAD_INTERVAL_NANOS) {
        lastReloadNanos = System.nanoTime();
        return reloadKeys.get().transform(ignored -> attempt(jwt, requiredScope));
      }
      return Future.failedFuture(error);
    }).andThen(result -> {
      if (result.succeeded()) {
        metrics.tokenAccepted();
      } else {
        metrics.tokenRejected(((TokenRejectedException) result.cause()).reason());
      }
    });
  }

  private Future<VerifiedToken> attempt(String jwt, TokenScope requiredScope) {
    return Future.fromCompletionStage(verifier.verify(jwt, requiredScope, revocations), vertx.getOrCreateContext())
        .recover(error -> Future.failedFuture(error instanceof TokenRejectedException ? error
            : new TokenRejectedException(TokenRejection.REVOCATION_UNAVAILABLE, "revocation state unavailable")));
  }

  /** The token of an {@code Authorization: Bearer <token>} header, if that is what the header holds. */
  public static Optional<String> bearerToken(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() < 8
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorizationHeader.substring(7).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
