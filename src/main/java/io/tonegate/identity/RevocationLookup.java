package io.tonegate.identity;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where {@link AccessTokenVerifier} learns an identity's revocation time. Asynchronous because the real one reads
 * Redis; the Vert.x layer adapts its Futures with {@code Future.toCompletionStage()}.
 */
@FunctionalInterface
public interface RevocationLookup {

  /**
   * The identity's "revoked before" time: tokens issued at or before it are refused. Empty when never revoked.
   * A deleted identity answers a time far in the future. A failed stage means the state is unknown and the
   * token is refused ({@link TokenRejection#REVOCATION_UNAVAILABLE}).
   */
  CompletionStage<Optional<Instant>> revokedBefore(String identityId);
}
