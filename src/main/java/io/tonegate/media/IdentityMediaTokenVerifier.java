package io.tonegate.media;

import io.tonegate.auth.AuthFailure;
import io.tonegate.auth.JwtValidationException;
import io.tonegate.identity.AccessTokenVerifier;
import io.tonegate.identity.RevocationLookup;
import io.tonegate.identity.TokenAuthenticator;
import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenRejectedException;
import io.tonegate.identity.TokenScope;
import io.tonegate.identity.VerifiedToken;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.CompletionException;

/**
 * Tonegate media tokens through {@code io.tonegate.identity}: signature, times, issuer and audience by
 * {@link AccessTokenVerifier}, scope {@code media}, the identity's revocation time (fail closed when it cannot be
 * read), and the call binding: the token's media grant ({@link TokenGrants}, claim
 * {@code "tg.grants": {"media": {"callConnectionId": ...}}}) must name the upgrade's {@code x-ms-call-connection-id}.
 * A media token without that grant is refused, so a leaked token opens at most the one call it was minted for.
 */
public final class IdentityMediaTokenVerifier implements MediaTokenVerifier {

  private final Vertx vertx;
  private final AccessTokenVerifier verifier;
  private final RevocationLookup revocations;

  public IdentityMediaTokenVerifier(Vertx vertx, AccessTokenVerifier verifier, RevocationLookup revocations) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.revocations = revocations;
  }

  @Override
  public Future<String> verify(String token, String callConnectionId) {
    Context caller = vertx.getOrCreateContext();
    Promise<String> result = Promise.promise();
    verifier.verify(token, TokenScope.MEDIA, revocations).whenComplete((verified, error) -> caller.runOnContext(v -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        result.fail(cause instanceof TokenRejectedException rejected
            ? new JwtValidationException(map(rejected), "media token refused")
            : new JwtValidationException(AuthFailure.KEYS_UNAVAILABLE, "media token check failed"));
      } else {
        JwtValidationException refused = callBinding(verified, callConnectionId);
        if (refused != null) {
          result.fail(refused);
        } else {
          result.complete(verified.identityId());
        }
      }
    }));
    return result.future();
  }

  /**
   * Media tokens through the identity module's {@link TokenAuthenticator} (its live key ring, revocations in Redis,
   * fail closed), plus the call binding.
   */
  public static MediaTokenVerifier using(TokenAuthenticator authenticator) {
    return (token, callConnectionId) -> authenticator.authenticate(token, TokenScope.MEDIA).transform(done -> {
      if (done.failed()) {
        return Future.failedFuture(done.cause() instanceof TokenRejectedException rejected
            ? new JwtValidationException(map(rejected), "media token refused")
            : new JwtValidationException(AuthFailure.KEYS_UNAVAILABLE, "media token check failed"));
      }
      JwtValidationException refused = callBinding(done.result(), callConnectionId);
      return refused != null ? Future.failedFuture(refused) : Future.succeededFuture(done.result().identityId());
    });
  }

  /** Null when the token's media grant names this call; otherwise the refusal (not permitted, or a bad claim). */
  private static JwtValidationException callBinding(VerifiedToken token, String callConnectionId) {
    try {
      return TokenGrants.fromToken(token).permitsMedia(callConnectionId) ? null
          : new JwtValidationException(AuthFailure.NOT_PERMITTED, "token is not for this call");
    } catch (TokenRejectedException e) {
      return new JwtValidationException(AuthFailure.INVALID_CLAIMS, "malformed grants");
    }
  }

  private static AuthFailure map(TokenRejectedException rejected) {
    return switch (rejected.reason()) {
      case MALFORMED -> AuthFailure.MALFORMED;
      case ALGORITHM_NOT_ALLOWED -> AuthFailure.ALGORITHM_NOT_ALLOWED;
      case UNKNOWN_KEY -> AuthFailure.UNKNOWN_KEY;
      case BAD_SIGNATURE -> AuthFailure.BAD_SIGNATURE;
      case EXPIRED -> AuthFailure.EXPIRED;
      case NOT_YET_VALID -> AuthFailure.NOT_YET_VALID;
      case WRONG_ISSUER -> AuthFailure.WRONG_ISSUER;
      case WRONG_AUDIENCE -> AuthFailure.WRONG_AUDIENCE;
      case INVALID_CLAIMS -> AuthFailure.INVALID_CLAIMS;
      case MISSING_SCOPE, REVOKED -> AuthFailure.NOT_PERMITTED;
      case REVOCATION_UNAVAILABLE -> AuthFailure.KEYS_UNAVAILABLE;
    };
  }
}
