package io.tonegate.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A key set loaded from somewhere slow (a JWKS URL, a file), cached, and refreshed:
 * <ul>
 *   <li>in the background when the cache is older than {@code refreshInterval} (the lookup does not wait);</li>
 *   <li>on demand for an unknown {@code kid} (key rotation), but at most once per {@code minRefreshInterval}, so
 *       a flood of tokens with made-up kids cannot turn into a flood of fetches; concurrent lookups share one
 *       load;</li>
 *   <li>a failed load keeps the cached keys: validation goes on working while the endpoint is down.</li>
 * </ul>
 * Thread-safe; lookups complete on the caller's context.
 */
abstract class CachingKeySource implements KeySource {

  private static final Logger LOG = LoggerFactory.getLogger(CachingKeySource.class);

  /** Outcome of one load, the {@code outcome} tag of {@code tonegate.auth.jwks.fetches}. */
  enum Outcome { SUCCESS, HTTP_ERROR, INVALID_DOCUMENT, UNREACHABLE }

  /** A failed load with its outcome. */
  static final class LoadFailure extends RuntimeException {
    final Outcome outcome;

    LoadFailure(Outcome outcome, String message) {
      super(message, null, false, false);
      this.outcome = outcome;
    }
  }

  protected final Vertx vertx;
  private final String name;
  private final Duration refreshInterval;
  private final Duration minRefreshInterval;
  private final Clock clock;
  private final AuthMetrics metrics;
  private final AtomicReference<Future<JwkSet>> inFlight = new AtomicReference<>();
  private volatile JwkSet keys = JwkSet.empty();
  private volatile boolean loaded;
  private volatile long loadedAtMs;
  private volatile long lastAttemptMs = Long.MIN_VALUE / 2;

  CachingKeySource(Vertx vertx, String name, Duration refreshInterval, Duration minRefreshInterval, Clock clock,
                   AuthMetrics metrics) {
    this.vertx = vertx;
    this.name = name;
    this.refreshInterval = refreshInterval;
    this.minRefreshInterval = minRefreshInterval;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Loads the document (JWKS JSON). Fails with a {@link LoadFailure}. */
  protected abstract Future<String> load();

  /** Where the keys come from, for logs. */
  protected abstract String describe();

  @Override
  public Future<Void> start() {
    Future<JwkSet> first = refresh(clock.millis());
    return first == null ? Future.succeededFuture() : first.mapEmpty();
  }

  @Override
  public Future<VerificationKey> find(String kid) {
    long now = clock.millis();
    Optional<VerificationKey> cached = keys.find(kid);
    if (cached.isPresent()) {
      if (now - loadedAtMs >= refreshInterval.toMillis()) {
        refresh(now); // background: this lookup uses the cached key
      }
      return Future.succeededFuture(cached.get());
    }
    Future<JwkSet> refreshing = refresh(now);
    if (refreshing == null) {
      return Future.failedFuture(missing());
    }
    Context caller = vertx.getOrCreateContext();
    Promise<VerificationKey> result = Promise.promise();
    refreshing.onComplete(done -> caller.runOnContext(v -> {
      Optional<VerificationKey> key = keys.find(kid);
      if (key.isPresent()) {
        result.complete(key.get());
      } else {
        result.fail(missing());
      }
    }));
    return result.future();
  }

  /** The keys cached now (tests, diagnostics). */
  JwkSet cached() {
    return keys;
  }

  private JwtValidationException missing() {
    return loaded
        ? JwtChecks.fail(AuthFailure.UNKNOWN_KEY, "unknown kid")
        : JwtChecks.fail(AuthFailure.KEYS_UNAVAILABLE, "no keys loaded from " + describe());
  }

  /** Starts a load unless one runs (then joins it) or the last one started less than minRefreshInterval ago. */
  private Future<JwkSet> refresh(long now) {
    while (true) {
      Future<JwkSet> running = inFlight.get();
      if (running != null) {
        return running;
      }
      if (now - lastAttemptMs < minRefreshInterval.toMillis()) {
        return null;
      }
      Promise<JwkSet> promise = Promise.promise();
      if (!inFlight.compareAndSet(null, promise.future())) {
        continue;
      }
      lastAttemptMs = now;
      Future<String> loading;
      try {
        loading = load();
      } catch (RuntimeException e) {
        loading = Future.failedFuture(new LoadFailure(Outcome.UNREACHABLE, e.toString()));
      }
      loading.onComplete(result -> {
        if (result.succeeded()) {
          accept(result.result());
        } else {
          Outcome outcome = result.cause() instanceof LoadFailure f ? f.outcome : Outcome.UNREACHABLE;
          metrics.jwksFetch(outcome);
          LOG.warn("auth[{}]: loading keys from {} failed ({}); keeping {} cached keys", name, describe(),
              result.cause().getMessage(), keys.size());
        }
        inFlight.set(null);
        promise.complete(keys);
      });
      return promise.future();
    }
  }

  private void accept(String document) {
    JwkSet parsed;
    try {
      parsed = JwkSet.parse(document);
    } catch (IllegalArgumentException e) {
      metrics.jwksFetch(Outcome.INVALID_DOCUMENT);
      LOG.warn("auth[{}]: {} is not a usable JWKS ({}); keeping {} cached keys", name, describe(), e.getMessage(),
          keys.size());
      return;
    }
    if (parsed.isEmpty()) {
      metrics.jwksFetch(Outcome.INVALID_DOCUMENT);
      LOG.warn("auth[{}]: {} holds no usable RS256/ES256 key; keeping {} cached keys", name, describe(), keys.size());
      return;
    }
    keys = parsed;
    loaded = true;
    loadedAtMs = clock.millis();
    metrics.jwksFetch(Outcome.SUCCESS);
    LOG.debug("auth[{}]: loaded {} keys from {}", name, parsed.size(), describe());
  }
}
