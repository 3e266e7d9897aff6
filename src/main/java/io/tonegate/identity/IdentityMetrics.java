package io.tonegate.identity;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every meter of the identity feature, built once. Tags are bounded enums and operation names only. */
final class IdentityMetrics {

  private final MeterRegistry registry;
  private final Counter tokensIssued;
  private final Counter revokedByRevoke;
  private final Counter revokedByDelete;
  private final Counter identitiesCreated;
  private final Map<HmacFailure, Counter> hmacFailures = new EnumMap<>(HmacFailure.class);
  private final Map<TokenRejection, Counter> tokenRejections = new EnumMap<>(TokenRejection.class);
  private final Counter tokensAccepted;
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();

  IdentityMetrics(MeterRegistry registry) {
    this.registry = registry;
    tokensIssued = Counter.builder("tonegate.identity.tokens.issued")
        .description("Access tokens minted (with a new identity or for an existing one)").register(registry);
    revokedByRevoke = Counter.builder("tonegate.identity.tokens.revoked").tag("via", "revoke")
        .description("Identities whose tokens were revoked, by :revokeAccessTokens or by deletion").register(registry);
    revokedByDelete = Counter.builder("tonegate.identity.tokens.revoked").tag("via", "delete")
        .description("Identities whose tokens were revoked, by :revokeAccessTokens or by deletion").register(registry);
    // Not "...identities.created": the Prometheus client strips a _created suffix (OpenMetrics reserves it).
    identitiesCreated = Counter.builder("tonegate.identity.identities")
        .description("Identities created").register(registry);
    for (String operation : new String[] {"create", "delete", "issue", "revoke"}) {
      timer(operation, 200); // the success series exist at zero from the start
    }
    for (HmacFailure failure : HmacFailure.values()) {
      hmacFailures.put(failure, Counter.builder("tonegate.identity.hmac.failures").tag("reason", failure.tag())
          .description("Requests refused by HMAC-SHA256 authentication, by reason").register(registry));
    }
    for (TokenRejection rejection : TokenRejection.values()) {
      tokenRejections.put(rejection, Counter.builder("tonegate.identity.token.rejections")
          .tag("reason", rejection.tag())
          .description("Tonegate access tokens refused (media, presence, sessions), by reason").register(registry));
    }
    tokensAccepted = Counter.builder("tonegate.identity.token.accepted")
        .description("Tonegate access tokens accepted (signature, claims, scope and revocation checked)")
        .register(registry);
  }

  void tokenIssued() {
    tokensIssued.increment();
  }

  void identityCreated() {
    identitiesCreated.increment();
  }

  void revoked(boolean byDelete) {
    (byDelete ? revokedByDelete : revokedByRevoke).increment();
  }

  void hmacFailure(HmacFailure failure) {
    hmacFailures.get(failure).increment();
  }

  void tokenRejected(TokenRejection rejection) {
    tokenRejections.get(rejection).increment();
  }

  void tokenAccepted() {
    tokensAccepted.increment();
  }

  /** Request latency per identity API operation and HTTP status (both bounded sets). */
  void requestTime(String operation, int status, long nanos) {
    timer(operation, status).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private Timer timer(String operation, int status) {
    return latency.computeIfAbsent(operation + "|" + status, k -> Metrics.histogramTimer(
            "tonegate.identity.request.latency",
            "Identity API request time from routing to response, including HMAC check and Redis",
            Metrics.FAST_BUCKETS)
        .tag("op", operation).tag("status", Integer.toString(status)).register(registry));
  }
}
