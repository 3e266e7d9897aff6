package io.tonegate.media;

import io.tonegate.auth.AuthFailure;
import io.tonegate.auth.JwtValidationException;
import io.tonegate.identity.AccessTokenVerifier;
import io.tonegate.identity.RevocationLookup;
import io.tonegate.identity.TokenAuthenticator;
import io.tonegate.identity.TokenRejectedException;
import io.tonegate.identity.TokenScope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.CompletionException;

/**
 * Tonegate media tokens through {@code io.tonegate.identity}: signature, times, issuer and audience by
 * {@link AccessTokenVerifier}, scope {@code media}, the identity's revocation time (fail closed when it cannot be
 * read), and the call binding: the token's {@value #CALL_CLAIM} claim must equal the upgrade's
 * {@code x-ms-call-connection-id}. A media token without that claim is refused, so a leaked token opens at most
 * the one call it was minted for.
 */
public final class IdentityMediaTokenVerifier implements MediaTokenVerifier {

  /** The claim that binds a media token to one call connection. */
  public static final String CALL_CLAIM = "callConnectionId";

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
      } else if (!callConnectionId.equals(verified.claims().get(CALL_CLAIM))) {
        result.fail(new JwtValidationException(AuthFailure.NOT_PERMITTED, "token is not for this call"));
      } else {
        result.complete(verified.identityId());
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
      if (!callConnectionId.equals(done.result().claims().get(CALL_CLAIM))) {
        return Future.failedFuture(new JwtValidationException(AuthFailure.NOT_PERMITTED, "token is not for this call"));
      }
      return Future.succeededFuture(done.result().identityId());
    });
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
