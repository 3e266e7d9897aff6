package io.tonegate.auth;

import io.vertx.core.Future;

/**
 * Where a {@link JwtValidator} finds verification keys by {@code kid}. Implementations are shared by every event
 * loop, so they are thread-safe, and complete their futures on the caller's context.
 */
public interface KeySource {

  /**
   * The key named {@code kid}. Fails with a {@link JwtValidationException}: {@link AuthFailure#UNKNOWN_KEY} when
   * no such key exists (after a refresh, if one was allowed), {@link AuthFailure#KEYS_UNAVAILABLE} when no key set
   * could ever be loaded.
   */
  Future<VerificationKey> find(String kid);

  /** Loads the keys once at start-up. Never fails: a source that cannot load yet keeps retrying on demand. */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  default void close() {
  }

  /** A fixed key set (local dev keys, tests). */
  static KeySource of(JwkSet keys) {
    return kid -> keys.find(kid).map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(JwtChecks.fail(AuthFailure.UNKNOWN_KEY, "unknown kid")));
  }

  /** Looks in {@code first}, then in {@code second} (e.g. the dev key, then the real ACS JWKS). */
  static KeySource firstOf(KeySource first, KeySource second) {
    return new KeySource() {
      @Override
      public Future<VerificationKey> find(String kid) {
        return first.find(kid).recover(e -> second.find(kid));
      }

      @Override
      public Future<Void> start() {
        return Future.join(first.start(), second.start()).mapEmpty();
      }

      @Override
      public void close() {
        first.close();
        second.close();
      }
    };
  }
}
