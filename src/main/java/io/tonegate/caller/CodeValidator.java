package io.tonegate.caller;

import io.micrometer.core.instrument.MeterRegistry;
import io.tonegate.ratelimit.LocalRateLimiter;
import io.tonegate.ratelimit.RateDecision;
import io.tonegate.ratelimit.RateLimiter;
import io.tonegate.ratelimit.RateLimitsConfig;
import io.tonegate.session.ConsumeMode;
import io.tonegate.session.SessionKey;
import io.tonegate.session.SessionStore;
import io.tonegate.session.StoredSession;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks one attempt against Redis, failing closed:
 * <ol>
 *   <li>the instance's validation rate ({@code rateLimits.validationsPerSecond}, in memory): beyond it the attempt is
 *       {@link AttemptOutcome#UNAVAILABLE} (overload is not the caller's fault, so no lockout);</li>
 *   <li>the per-call and, for flows with a code, per-caller-number limits, in parallel (one round trip): a refusal is
 *       {@link AttemptOutcome#LOCKED_OUT}, and the key is not touched;</li>
 *   <li>the atomic consume of the session key (one round trip): present is {@link AttemptOutcome#ACCEPTED}, absent
 *       {@link AttemptOutcome#WRONG_CODE}.</li>
 * </ol>
 * All of it within {@code caller.redisDeadline}; a Redis error or a later answer is {@link AttemptOutcome#UNAVAILABLE}.
 * If a one-time key is consumed by an answer that arrives after the deadline, it is put back ({@link SessionStore#restore})
 * so that the caller's retry can still match it. The returned future never fails.
 */
public final class CodeValidator {

  private static final Logger LOG = LoggerFactory.getLogger(CodeValidator.class);
  /** Limit scopes: the {@code scope} tag of {@code tonegate.ratelimit.rejections}. */
  public static final String SCOPE_ANI = "caller-ani";
  public static final String SCOPE_CALL = "caller-call";
  public static final String SCOPE_INSTANCE = "caller-instance";

  private final Vertx vertx;
  private final SessionStore sessions;
  private final RateLimiter limiter;
  private final RateLimitsConfig limits;
  private final LocalRateLimiter instanceLimiter;
  private final Duration deadline;
  private final MeterRegistry registry;

  public CodeValidator(Vertx vertx, SessionStore sessions, RateLimiter limiter, RateLimitsConfig limits,
                       Duration deadline, MeterRegistry registry) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.limiter = limiter;
    this.limits = limits;
    this.instanceLimiter = new LocalRateLimiter(limits.validationsPerSecond());
    this.deadline = deadline;
    this.registry = registry;
    for (String scope : new String[] {SCOPE_ANI, SCOPE_CALL, SCOPE_INSTANCE}) {
      RateLimiter.rejected(registry, scope); // exists at zero from the start
    }
  }

  /** Validates {@code key} for {@code call}; {@code withCode} applies the per-number limit. Never fails. */
  public Future<Validation> validate(CallInfo call, SessionKey key, boolean withCode) {
    RateDecision local = instanceLimiter.tryAcquire();
    if (!local.allowed()) {
      RateLimiter.rejected(registry, SCOPE_INSTANCE).increment();
      return Future.succeededFuture(Validation.unavailable("instance_rate"));
    }
    Promise<Validation> decided = Promise.promise();
    long timer = vertx.setTimer(deadline.toMillis(), t -> {
      if (!decided.future().isComplete()) {
        LOG.warn("caller validation for call {} timed out after {} ms (fail closed)", call.callConnectionId(),
            deadline.toMillis());
        decided.tryComplete(Validation.unavailable("timeout"));
      }
    });

    List<Future<RateDecision>> checks = new ArrayList<>(2);
    List<String> scopes = new ArrayList<>(2);
    checks.add(limiter.acquire(SCOPE_CALL, call.callConnectionId(), limits.perCall()));
    scopes.add(SCOPE_CALL);
    if (withCode && call.ani().isPresent()) {
      // The number is hashed with the session secret: Redis never holds caller numbers in clear.
      String subject = sessions.config().digest().digest("ani:" + call.ani().get());
      checks.add(limiter.acquire(SCOPE_ANI, subject, limits.perAni()));
      scopes.add(SCOPE_ANI);
    }
    Future.all(checks).onComplete(limitsResult -> {
      if (limitsResult.failed()) {
        fail(decided, call, limitsResult.cause());
        return;
      }
      for (int i = 0; i < checks.size(); i++) {
        RateDecision decision = checks.get(i).result();
        if (!decision.allowed()) {
          decided.tryComplete(Validation.lockedOut(scopes.get(i), decision.retryAfter()));
          return;
        }
      }
      if (decided.future().isComplete()) {
        return; // timed out already: do not consume a key nobody will use
      }
      sessions.consume(key).onComplete(consumed -> {
        if (consumed.failed()) {
          fail(decided, call, consumed.cause());
          return;
        }
        Optional<StoredSession> session = consumed.result();
        Validation validation = session.map(Validation::accepted).orElseGet(Validation::wrongCode);
        if (!decided.tryComplete(validation) && session.isPresent()
            && sessions.config().consume() == ConsumeMode.ONE_TIME) {
          putBack(call, session.get());
        }
      });
    });
    return decided.future().andThen(r -> vertx.cancelTimer(timer));
  }

  private void fail(Promise<Validation> decided, CallInfo call, Throwable cause) {
    if (!decided.future().isComplete()) {
      LOG.warn("caller validation for call {} failed: {} (fail closed)", call.callConnectionId(), cause.toString());
      decided.tryComplete(Validation.unavailable("redis_error"));
    }
  }

  private void putBack(CallInfo call, StoredSession session) {
    sessions.restore(session).onComplete(r -> LOG.info(
        "call {}: session {} was consumed after the deadline; {}", call.callConnectionId(), session.id(),
        r.succeeded() && r.result() ? "put back for the rest of its TTL" : "could not be put back"));
  }
}
