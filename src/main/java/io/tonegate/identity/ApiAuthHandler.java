package io.tonegate.identity;

import io.tonegate.auth.JwtValidator;
import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Admits a request signed with an access key (ACS HMAC-SHA256, {@link HmacAuthHandler}) or, when
 * {@code identity.bearer.enabled}, one carrying an Entra-style bearer token ({@code Authorization: Bearer <JWT>}
 * for audience {@code https://communication.azure.com}, as the ACS SDKs send with a {@code TokenCredential}),
 * checked by the shared {@link JwtValidator} against the configured issuer and JWKS.
 *
 * <p>On success {@link #PRINCIPAL} holds {@code "accessKey"} or {@code "bearer:<sub>"}. Bearer refusals are 401
 * {@code Denied} and are counted in {@code tonegate.auth.failures{validator="identity-bearer",reason}}.
 */
public final class ApiAuthHandler implements Handler<RoutingContext> {

  /** Routing-context key naming who was authenticated. */
  public static final String PRINCIPAL = "tonegate.identity.principal";

  private final HmacAuthHandler hmac;
  private final Optional<JwtValidator> bearer;

  ApiAuthHandler(HmacAuthHandler hmac, Optional<JwtValidator> bearer) {
    this.hmac = hmac;
    this.bearer = bearer;
  }

  @Override
  public void handle(RoutingContext rc) {
    String authorization = rc.request().getHeader("Authorization");
    if (bearer.isPresent() && TokenAuthenticator.bearerToken(authorization).isPresent()) {
      bearer.get().validateBearer(authorization).onComplete(result -> {
        if (result.failed()) {
          HttpErrors.send(rc, 401, "Denied", "The bearer token was not accepted.");
          return;
        }
        rc.put(PRINCIPAL, "bearer:" + result.result().subject().orElse("?"));
        rc.next();
      });
      return;
    }
    rc.put(PRINCIPAL, "accessKey");
    hmac.handle(rc);
  }
}
