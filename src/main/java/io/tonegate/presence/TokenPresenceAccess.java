package io.tonegate.presence;

import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenRejectedException;
import io.tonegate.identity.TokenRejection;
import io.tonegate.identity.TokenScope;
import io.tonegate.identity.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Objects;
import java.util.function.Function;

/**
 * {@link PresenceAccess} over Tonegate access tokens: a reader needs {@code presence.read}, a writer
 * {@code presence.write} (and may then set only its own identity); services sign with ACS HMAC.
 *
 * <p>The grant policy maps a verified token to the users it may see. The default, {@link #GRANTS}, honours the
 * token's presence grant ({@code "tg.grants": {"presence": {"users": [...]}}}, read by
 * {@link io.tonegate.identity.TokenGrants}, minted by {@code POST /api/token}): a token with one sees and sets only
 * the listed users; a token without one is not narrowed.
 */
public final class TokenPresenceAccess implements PresenceAccess {

  /** Full token verification (signature, expiry, scope, revocation), e.g. {@code TokenAuthenticator::authenticate}. */
  @FunctionalInterface
  public interface TokenCheck {
    /** Fails with a {@link TokenRejectedException} naming the reason. */
    Future<VerifiedToken> check(String jwt, TokenScope requiredScope);
  }

  /** Unrestricted: the token's identity may read every user and write its own. */
  public static final Function<VerifiedToken, PresenceGrant> UNRESTRICTED = token -> PresenceGrant.user(token.identityId());

  /**
   * The token's presence grant, if any, restricts it to the listed users. A malformed grants claim throws
   * {@link TokenRejectedException} ({@code invalid_claims}): refused, never widened.
   */
  public static final Function<VerifiedToken, PresenceGrant> GRANTS = token -> {
    PresenceGrant grant = PresenceGrant.user(token.identityId());
    return TokenGrants.fromToken(token).presenceUsers().map(grant::restrictedTo).orElse(grant);
  };

  private final TokenCheck tokens;
  private final Handler<RoutingContext> serviceAuth;
  private final Function<VerifiedToken, PresenceGrant> grantPolicy;

  public TokenPresenceAccess(TokenCheck tokens, Handler<RoutingContext> serviceAuth) {
    this(tokens, serviceAuth, GRANTS);
  }

  public TokenPresenceAccess(TokenCheck tokens, Handler<RoutingContext> serviceAuth,
                             Function<VerifiedToken, PresenceGrant> grantPolicy) {
    this.tokens = Objects.requireNonNull(tokens);
    this.serviceAuth = Objects.requireNonNull(serviceAuth);
    this.grantPolicy = Objects.requireNonNull(grantPolicy);
  }

  @Override
  public Future<PresenceGrant> authorizeReader(String token) {
    return authorize(token, TokenScope.PRESENCE_READ);
  }

  @Override
  public Future<PresenceGrant> authorizeWriter(String token) {
    return authorize(token, TokenScope.PRESENCE_WRITE);
  }

  @Override
  public Handler<RoutingContext> serviceAuth() {
    return serviceAuth;
  }

  private Future<PresenceGrant> authorize(String token, TokenScope scope) {
    if (token == null) {
      return Future.failedFuture(new PresenceAccessDenied(401, "missing_token",
          "a bearer token with " + scope.wireName() + " is required"));
    }
    Future<VerifiedToken> checked;
    try {
      checked = tokens.check(token, scope);
    } catch (RuntimeException e) {
      checked = Future.failedFuture(e);
    }
    return checked.map(grantPolicy).recover(error -> Future.failedFuture(denied(error, scope)));
  }

  private static PresenceAccessDenied denied(Throwable error, TokenScope scope) {
    if (!(error instanceof TokenRejectedException rejected)) {
      return new PresenceAccessDenied(503, "auth_unavailable", "token verification is unavailable, retry later");
    }
    TokenRejection reason = rejected.reason();
    return switch (reason) {
      case REVOCATION_UNAVAILABLE -> new PresenceAccessDenied(503, reason.tag(), "token verification is unavailable");
      case MISSING_SCOPE -> new PresenceAccessDenied(403, reason.tag(), "the token lacks scope " + scope.wireName());
      default -> new PresenceAccessDenied(401, reason.tag(), "the token was refused");
    };
  }
}
