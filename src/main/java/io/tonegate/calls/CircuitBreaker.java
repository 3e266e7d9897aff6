package io.tonegate.calls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A circuit breaker for one remote service: after {@code failureThreshold} consecutive failures it opens and
 * refuses requests at once; after {@code openDuration} it lets exactly one trial through (half-open), whose outcome
 * closes or re-opens it. Thread-safe (every instance of the gateway shares one per process).
 */
public final class CircuitBreaker {

  /** Exported as a gauge: 0 closed, 1 half-open, 2 open. */
  public enum State {
    CLOSED(0), HALF_OPEN(1), OPEN(2);

    private final int gaugeValue;

    State(int gaugeValue) {
      this.gaugeValue = gaugeValue;
    }

    public int gaugeValue() {
      return gaugeValue;
    }
  }

  /** A state change, for logging. */
  public interface Listener {
    void onTransition(State from, State to);
  }

  private final int failureThreshold;
  private final Duration openDuration;
  private final Clock clock;
  private final Listener listener;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Instant openedAt = Instant.EPOCH;
  private boolean trialInFlight;

  public CircuitBreaker(int failureThreshold, Duration openDuration, Clock clock, Listener listener) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be at least 1");
    }
    this.failureThreshold = failureThreshold;
    this.openDuration = openDuration;
    this.clock = clock;
    this.listener = listener;
  }

  /** The state now (an open circuit whose time is up reads as half-open). */
  public synchronized State state() {
    if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(openDuration))) {
      return State.HALF_OPEN;
    }
    return state;
  }

  /** How long an open circuit stays open from now; zero when it is not open. */
  public synchronized Duration remainingOpen() {
    if (state != State.OPEN) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), openedAt.plus(openDuration));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Asks to send a request. True when allowed: always while closed; once (the trial) when the open time is up.
   * Every allowed request must be followed by {@link #onSuccess()} or {@link #onFailure()}.
   */
  public synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (clock.instant().isBefore(openedAt.plus(openDuration))) {
          return false;
        }
        transition(State.HALF_OPEN);
        trialInFlight = true;
        return true;
      case HALF_OPEN:
      default:
        if (trialInFlight) {
          return false;
        }
        trialInFlight = true;
        return true;
    }
  }

  /** The service answered (any status that is not a service failure). */
  public synchronized void onSuccess() {
    consecutiveFailures = 0;
    trialInFlight = false;
    if (state != State.CLOSED) {
      transition(State.CLOSED);
    }
  }

  /** The service failed (5xx, 429, timeout, connection error). */
  public synchronized void onFailure() {
    trialInFlight = false;
    consecutiveFailures++;
    if (state == State.HALF_OPEN || state == State.CLOSED && consecutiveFailures >= failureThreshold) {
      openedAt = clock.instant();
      transition(State.OPEN);
    }
  }

  private void transition(State to) {
    State from = state;
    state = to;
    if (from != to && listener != null) {
      listener.onTransition(from, to);
    }
  }
}
