package io.tonegate.media;

import io.vertx.core.Future;

/**
 * Verifies a media token issued by Tonegate itself (scope {@code media}, not revoked, bound to one call). The
 * identity feature supplies it ({@link IdentityMediaTokenVerifier} adapts its verifier); the media module uses it when
 * {@code media.acceptTokens} allows {@code tonegate}.
 */
@FunctionalInterface
public interface MediaTokenVerifier {

  /**
   * Succeeds when {@code token} grants media access to {@code callConnectionId}; fails with an
   * {@link io.tonegate.auth.JwtValidationException} whose reason is the refusal (counted by the caller).
   *
   * @return the identity the token was issued to
   */
  Future<String> verify(String token, String callConnectionId);
}
