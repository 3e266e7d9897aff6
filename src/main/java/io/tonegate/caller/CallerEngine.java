package io.tonegate.caller;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;
import io.tonegate.session.SessionKeyRules;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caller authentication for every call of this process: opens a {@link CallerSession} per media session and owns
 * what the sessions share (validator, call records, events, metrics, the rendered tones). Thread-safe.
 *
 * <p>Metrics: {@code tonegate.caller.attempts{flow,outcome}}, {@code tonegate.caller.outcomes{flow,state}},
 * {@code tonegate.caller.decision.latency{flow}} (from the end of the last digit or {@code #} to the decision),
 * {@code tonegate.caller.sessions.active}.
 */
public final class CallerEngine {

  private final Vertx vertx;
  private final CallerConfig config;
  private final SessionKeyRules keyRules;
  private final CallRecords records;
  private final CodeValidator validator;
  private final CallerEvents events;
  private final MeterRegistry registry;
  private volatile CallTerminator terminator;
  private final AtomicInteger active = new AtomicInteger();
  private final Map<Long, byte[]> tones = new ConcurrentHashMap<>();
  /** Meters by tag values, built once (bounded: flows x outcomes). */
  private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();

  public CallerEngine(Vertx vertx, CallerConfig config, SessionKeyRules keyRules, CallRecords records,
                      CodeValidator validator, CallerEvents events, CallTerminator terminator,
                      MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.keyRules = keyRules;
    this.records = records;
    this.validator = validator;
    this.events = events;
    this.terminator = terminator;
    this.registry = registry;
    Gauge.builder("tonegate.caller.sessions.active", active, AtomicInteger::get)
        .description("Calls whose caller authentication is in progress or decided, with an open media session")
        .register(registry);
    // Every series exists at zero from the start, so rate() and the dashboards work before the first call.
    for (CallerFlow flow : CallerFlow.values()) {
      for (AttemptOutcome outcome : AttemptOutcome.values()) {
        attempts(flow, outcome);
      }
      for (CallerAuthState state : List.of(CallerAuthState.AUTHENTICATED, CallerAuthState.REJECTED,
          CallerAuthState.LOCKED_OUT)) {
        outcomes(flow, state);
      }
      decisionLatency(flow);
    }
  }

  /**
   * Starts authentication for a media session: call it on the session's event loop once the stream has started.
   * The returned session takes the call's digits and must be closed when the media session ends.
   */
  public CallerSession open(CallerMedia media) {
    CallerSession session = new CallerSession(this, media, vertx.getOrCreateContext());
    active.incrementAndGet();
    session.start();
    return session;
  }

  /** Sets who hangs up rejected calls (the calls module, once Call Automation is available). */
  public void setTerminator(CallTerminator terminator) {
    this.terminator = terminator;
  }

  public CallerEvents events() {
    return events;
  }

  public CallerConfig config() {
    return config;
  }

  Vertx vertx() {
    return vertx;
  }

  SessionKeyRules keyRules() {
    return keyRules;
  }

  CallRecords records() {
    return records;
  }

  CodeValidator validator() {
    return validator;
  }

  CallTerminator terminator() {
    return terminator;
  }

  void closed() {
    active.decrementAndGet();
  }

  /** The tone sequence rendered once per sample rate. */
  byte[] tone(OutcomeTone tone, int sampleRate) {
    return tones.computeIfAbsent(((long) tone.ordinal() << 32) | sampleRate, k -> tone.pcm(sampleRate));
  }

  void countAttempt(CallerFlow flow, AttemptOutcome outcome) {
    attempts(flow, outcome).increment();
  }

  void countOutcome(CallerFlow flow, CallerAuthState state) {
    outcomes(flow, state).increment();
  }

  void recordDecisionLatency(CallerFlow flow, long nanos) {
    decisionLatency(flow).record(nanos, TimeUnit.NANOSECONDS);
  }

  // Built once per tag combination (bounded) and cached: no registry lookup per call.
  private Counter attempts(CallerFlow flow, AttemptOutcome outcome) {
    return attempts.computeIfAbsent(flowTag(flow) + "/" + outcome.tag(), k -> Counter.builder("tonegate.caller.attempts")
        .description("Caller authentication attempts, by flow and outcome")
        .tags("flow", flowTag(flow), "outcome", outcome.tag())
        .register(registry));
  }

  private Counter outcomes(CallerFlow flow, CallerAuthState state) {
    String stateTag = state.name().toLowerCase(java.util.Locale.ROOT);
    return outcomes.computeIfAbsent(flowTag(flow) + "/" + stateTag, k -> Counter.builder("tonegate.caller.outcomes")
        .description("Calls whose caller authentication was decided, by flow and final state")
        .tags("flow", flowTag(flow), "state", stateTag)
        .register(registry));
  }

  private Timer decisionLatency(CallerFlow flow) {
    return latency.computeIfAbsent(flowTag(flow), tag -> Metrics.histogramTimer("tonegate.caller.decision.latency",
            "Time from the end of the caller's last digit (or #) to the authentication decision",
            Metrics.DECISION_BUCKETS)
        .tags("flow", tag)
        .register(registry));
  }

  private static String flowTag(CallerFlow flow) {
    return flow == null ? "unknown" : flow.tag();
  }
}
