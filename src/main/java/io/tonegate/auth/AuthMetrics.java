package io.tonegate.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tonegate.auth.*} meters of one validator, built once. Tags are bounded: {@code validator} is a
 * configured use ({@code acs-media}, ...), {@code reason} an {@link AuthFailure}, {@code outcome} a load outcome.
 */
final class AuthMetrics {

  private final Map<AuthFailure, Counter> failures = new EnumMap<>(AuthFailure.class);
  private final Map<CachingKeySource.Outcome, Counter> fetches = new EnumMap<>(CachingKeySource.Outcome.class);
  private final Counter accepted;

  AuthMetrics(MeterRegistry registry, String validator) {
    for (AuthFailure reason : AuthFailure.values()) {
      failures.put(reason, Counter.builder("tonegate.auth.failures")
          .description("Tokens refused, by validator and reason")
          .tag("validator", validator).tag("reason", reason.tag())
          .register(registry));
    }
    for (CachingKeySource.Outcome outcome : CachingKeySource.Outcome.values()) {
      fetches.put(outcome, Counter.builder("tonegate.auth.jwks.fetches")
          .description("Key set (JWKS) loads, by validator and outcome")
          .tag("validator", validator).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    accepted = Counter.builder("tonegate.auth.accepted")
        .description("Tokens accepted, by validator")
        .tag("validator", validator)
        .register(registry);
  }

  void failure(AuthFailure reason) {
    failures.get(reason).increment();
  }

  void accepted() {
    accepted.increment();
  }

  void jwksFetch(CachingKeySource.Outcome outcome) {
    fetches.get(outcome).increment();
  }
}
