package io.tonegate.session;

import io.tonegate.gateway.HttpErrors;
import io.tonegate.identity.HmacAuthHandler;
import io.tonegate.identity.TokenAuthenticator;
import io.tonegate.identity.TokenRejectedException;
import io.tonegate.identity.TokenRejection;
import io.tonegate.identity.TokenScope;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Authentication of the session API (and the development call API): either an ACS HMAC-SHA256 signature with the
 * gateway's access key (the identity module's {@link HmacAuthHandler}; an access key may do everything), or
 * {@code Authorization: Bearer <Tonegate access token>} carrying the required scope ({@code sessions.write} to store
 * and delete, {@code sessions.read} to read), verified with revocation by the identity module's
 * {@link TokenAuthenticator}.
 *
 * <p>Refusals: 401 {@code Denied} (bad or missing credentials), 403 {@code Forbidden} (a valid token without the
 * scope), 503 (revocation state unavailable: fail closed). On success {@link #PRINCIPAL} names the client
 * ({@code accessKey} or {@code token:<identity id>}), recorded as {@code createdBy}.
 */
public final class SessionApiAuth {

  /** Routing-context key naming who was authenticated. */
  public static final String PRINCIPAL = "tonegate.session.principal";

  private final HmacAuthHandler hmac;
  private final TokenAuthenticator tokens;

  public SessionApiAuth(HmacAuthHandler hmac, TokenAuthenticator tokens) {
    this.hmac = hmac;
    this.tokens = tokens;
  }

  /** A route handler admitting requests signed with an access key or bearing a token with {@code scope}. */
  public Handler<RoutingContext> requiring(TokenScope scope) {
    return rc -> {
      Optional<String> bearer = TokenAuthenticator.bearerToken(rc.request().getHeader("Authorization"));
      if (bearer.isEmpty()) {
        rc.put(PRINCIPAL, "accessKey");
        hmac.handle(rc);
        return;
      }
      tokens.authenticate(bearer.get(), scope).onComplete(result -> {
        if (result.succeeded()) {
          rc.put(PRINCIPAL, "token:" + result.result().identityId());
          rc.next();
          return;
        }
        TokenRejection reason = result.cause() instanceof TokenRejectedException rejected
            ? rejected.reason() : TokenRejection.MALFORMED;
        switch (reason) {
          case MISSING_SCOPE -> HttpErrors.send(rc, 403, "Forbidden", "the token lacks the " + scope.wireName()
              + " scope");
          case REVOCATION_UNAVAILABLE -> HttpErrors.send(rc, 503, "ServiceUnavailable",
              "the token cannot be checked right now");
          default -> HttpErrors.send(rc, 401, "Denied", "the bearer token was not accepted");
        }
      });
    };
  }
}
