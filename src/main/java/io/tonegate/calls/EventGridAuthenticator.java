package io.tonegate.calls;

import io.tonegate.auth.JwtValidationException;
import io.tonegate.auth.JwtValidator;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Authenticates an Event Grid delivery the two ways Event Grid can: the shared secret in a query parameter
 * (compared in constant time: both sides are hashed, then {@link MessageDigest#isEqual}), or an Entra bearer JWT.
 * A request that presents the secret parameter is judged by it alone.
 */
final class EventGridAuthenticator {

  /** Why a delivery was refused (the {@code reason} tag; never sent to the client in detail). */
  static final class Refused extends Exception {
    final String reason;

    Refused(String reason) {
      super(reason, null, false, false);
      this.reason = reason;
    }
  }

  private final Optional<byte[]> secretDigest;
  private final String secretParameter;
  private final Optional<JwtValidator> entra;

  EventGridAuthenticator(CallsConfig.EventGrid config, Optional<JwtValidator> entra) {
    this.secretDigest = config.secret().map(EventGridAuthenticator::sha256);
    this.secretParameter = config.secretParameter();
    this.entra = entra;
  }

  /** Succeeds when the request is authenticated; fails with {@link Refused} otherwise. */
  Future<Void> authenticate(HttpServerRequest request) {
    String presented = request.getParam(secretParameter);
    if (presented != null) {
      if (secretDigest.isPresent() && MessageDigest.isEqual(secretDigest.get(), sha256(presented))) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(new Refused("bad_secret"));
    }
    String authorization = request.getHeader("Authorization");
    if (authorization != null && entra.isPresent()) {
      return entra.get().validateBearer(authorization).<Void>mapEmpty().recover(e -> Future.failedFuture(
          new Refused(e instanceof JwtValidationException jwt ? "jwt_" + jwt.reason().tag() : "jwt")));
    }
    return Future.failedFuture(new Refused("missing_credentials"));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
