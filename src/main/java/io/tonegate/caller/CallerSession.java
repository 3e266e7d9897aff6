package io.tonegate.caller;

import io.tonegate.session.InvalidSessionKeyException;
import io.tonegate.session.SessionKey;
import io.tonegate.session.StoredSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Caller authentication of one call: drives a {@link CallerAuthMachine} with the call's digits and a timer, asks
 * Redis through the {@link CodeValidator}, plays the outcome tones on the media socket, authorizes the media session
 * when authenticated, publishes the outcome and hangs up rejected calls.
 *
 * <p>Everything runs on the media session's event loop (its {@link Context}); Redis answers are brought back to it.
 * Never blocks. Logs carry the call connection and correlation ids, never a code.
 */
public final class CallerSession {

  private static final Logger LOG = LoggerFactory.getLogger(CallerSession.class);
  /** Digits kept while the call record is being read; more than a code's worth is pointless. */
  private static final int MAX_EARLY_DIGITS = 40;
  /** Pause after the final tone before hanging up, so the tone is heard to its end. */
  private static final long HANG_UP_MARGIN_MS = 300;

  private final CallerEngine engine;
  private final CallerMedia media;
  private final Context context;
  private final Vertx vertx;
  private final ArrayDeque<long[]> earlyDigits = new ArrayDeque<>();
  private CallInfo call;
  private CallerAuthMachine machine;
  private CallerAuthState finalState;
  private long timerId = -1;
  private long lastDigitEndNanos;
  private int recordFailures;
  private boolean closed;
  /** Detail and session of the last validation, for the log line and the outcome event. */
  private String lastDetail = "";
  private Optional<StoredSession> lastSession = Optional.empty();

  CallerSession(CallerEngine engine, CallerMedia media, Context context) {
    this.engine = engine;
    this.media = media;
    this.context = context;
    this.vertx = engine.vertx();
  }

  /** The current state: {@code PENDING} until the call record is read. */
  public CallerAuthState state() {
    if (finalState != null) {
      return finalState;
    }
    return machine == null ? CallerAuthState.PENDING : machine.state();
  }

  public String callConnectionId() {
    return media.callConnectionId();
  }

  /**
   * The caller pressed {@code key}; {@code endNanos} is when its tone ended ({@link System#nanoTime()} clock), the
   * start of the decision-latency measurement, or 0 for "now".
   */
  public void digit(char key, long endNanos) {
    if (closed || finalState != null) {
      return;
    }
    long end = endNanos == 0 ? System.nanoTime() : endNanos;
    if (machine == null) {
      if (earlyDigits.size() < MAX_EARLY_DIGITS) {
        earlyDigits.add(new long[] {key, end});
      }
      return;
    }
    lastDigitEndNanos = end;
    execute(machine.digit(key, nowMs()));
  }

  /** The media session ended: timers stop, nothing more is played or published. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cancelTimer();
    if (machine != null) {
      machine.close();
    }
    engine.closed();
    if (finalState == null) {
      LOG.info("call {} ({}): media ended before caller authentication was decided (state {})",
          media.callConnectionId(), media.correlationId(), state());
    }
  }

  void start() {
    loadCallRecord();
  }

  private void loadCallRecord() {
    long deadlineMs = engine.config().redisDeadline().toMillis();
    onContext(engine.records().find(media.callConnectionId()).timeout(deadlineMs, TimeUnit.MILLISECONDS),
        result -> {
          if (closed) {
            return;
          }
          if (result.failed()) {
            recordFailures++;
            LOG.warn("call {} ({}): call record unavailable: {} (attempt {})", media.callConnectionId(),
                media.correlationId(), result.cause().toString(), recordFailures);
            if (recordFailures >= engine.config().rules().maxUnavailable()) {
              finish(CallerAuthState.REJECTED, AttemptOutcome.UNAVAILABLE, "call_record_unavailable",
                  Optional.empty(), recordFailures);
              return;
            }
            engine.countAttempt(null, AttemptOutcome.UNAVAILABLE);
            play(OutcomeTone.TRY_AGAIN);
            timerId = vertx.setTimer(engine.config().rules().automaticRetryDelay().toMillis(), t -> {
              timerId = -1;
              loadCallRecord();
            });
            return;
          }
          begin(result.result());
        });
  }

  private void begin(Optional<CallInfo> found) {
    if (found.isEmpty()) {
      finish(CallerAuthState.REJECTED, AttemptOutcome.UNKNOWN_CALLER, "no_call_record", Optional.empty(), 0);
      return;
    }
    call = found.get();
    boolean collectsCode = switch (call.flow()) {
      case PSTN -> true;
      case SIP -> engine.keyRules().sipWithCode();
      case API -> false;
    };
    String missing = missingKeyMaterial(collectsCode);
    if (missing != null) {
      finish(CallerAuthState.REJECTED, AttemptOutcome.UNKNOWN_CALLER, missing, Optional.empty(), 0);
      return;
    }
    machine = new CallerAuthMachine(engine.config().rules(), collectsCode);
    execute(machine.start(nowMs()));
    while (!earlyDigits.isEmpty() && finalState == null && !closed) {
      long[] early = earlyDigits.poll();
      lastDigitEndNanos = early[1];
      execute(machine.digit((char) early[0], nowMs()));
    }
    earlyDigits.clear();
  }

  /** Why this call cannot build its key, or null when it can. */
  private String missingKeyMaterial(boolean collectsCode) {
    String sampleCode = "0".repeat(engine.keyRules().minCodeLength());
    try {
      switch (call.flow()) {
        case PSTN -> {
          if (call.ani().isEmpty()) {
            return "no_caller_number";
          }
          engine.keyRules().pstn(call.ani().get(), sampleCode);
        }
        case SIP -> {
          if (call.sipCallId().isEmpty()) {
            return "no_sip_call_id";
          }
          engine.keyRules().sip(call.sipCallId().get(), collectsCode ? sampleCode : null);
        }
        case API -> engine.keyRules().acs(call.callConnectionId());
      }
      return null;
    } catch (InvalidSessionKeyException e) {
      return e.reason();
    }
  }

  private void execute(CallerAuthMachine.Step step) {
    if (closed) {
      return;
    }
    if (step instanceof CallerAuthMachine.Wait wait) {
      armTimer(wait.deadlineMs());
    } else if (step instanceof CallerAuthMachine.Validate validate) {
      validate(validate.code());
    } else if (step instanceof CallerAuthMachine.Retry retry) {
      engine.countAttempt(call.flow(), retry.outcome());
      LOG.info("call {} ({}): attempt {} {}{}; caller may try again", call.callConnectionId(), media.correlationId(),
          machine.attempts(), retry.outcome().tag(), lastDetail.isEmpty() ? "" : " " + lastDetail);
      lastDetail = "";
      play(OutcomeTone.TRY_AGAIN);
      armTimer(retry.deadlineMs());
    } else if (step instanceof CallerAuthMachine.Finish finish) {
      engine.countAttempt(call.flow(), finish.outcome());
      finish(finish.state(), finish.outcome(), lastDetail, lastSession, machine.attempts());
    }
  }

  private void validate(String code) {
    cancelTimer();
    SessionKey key;
    try {
      key = switch (call.flow()) {
        case PSTN -> engine.keyRules().pstn(call.ani().orElseThrow(), code);
        case SIP -> engine.keyRules().sip(call.sipCallId().orElseThrow(), machine.collectsCode() ? code : null);
        case API -> engine.keyRules().acs(call.callConnectionId());
      };
    } catch (InvalidSessionKeyException e) {
      // Collection enforces the same lengths as the key rules, so this is a configuration mismatch: fail closed.
      LOG.error("call {} ({}): cannot build the session key ({})", call.callConnectionId(), media.correlationId(),
          e.reason());
      lastDetail = e.reason();
      execute(machine.result(AttemptOutcome.WRONG_CODE, nowMs()));
      return;
    }
    long started = machine.collectsCode() && lastDigitEndNanos != 0 ? lastDigitEndNanos : System.nanoTime();
    onContext(engine.validator().validate(call, key, machine.collectsCode()), result -> {
      Validation validation = result.succeeded() ? result.result() : Validation.unavailable("internal");
      engine.recordDecisionLatency(call.flow(), System.nanoTime() - started);
      if (closed) {
        return;
      }
      lastDetail = validation.detail();
      lastSession = validation.session();
      execute(machine.result(validation.outcome(), nowMs()));
    });
  }

  private void finish(CallerAuthState state, AttemptOutcome outcome, String detail, Optional<StoredSession> session,
                      int attempts) {
    cancelTimer();
    finalState = state;
    CallerFlow flow = call == null ? null : call.flow();
    if (call == null) {
      engine.countAttempt(null, outcome);
    }
    engine.countOutcome(flow, state);
    if (state == CallerAuthState.AUTHENTICATED) {
      media.authorize();
    }
    play(OutcomeTone.forFinalState(state)); // first among the effects: the caller is waiting for it
    String ccid = media.callConnectionId();
    LOG.info("call {} ({}): caller {} ({}{}, flow {}, {} attempts)", ccid, media.correlationId(), state,
        outcome.tag(), detail.isEmpty() ? "" : " " + detail, flow == null ? "unknown" : flow.tag(), attempts);
    Instant at = Instant.now();
    engine.events().publish(new CallerOutcomeEvent(ccid, media.correlationId(), flow, state, outcome, detail,
        attempts, session, at));
    engine.records().recordAuthState(ccid, state, at)
        .onFailure(e -> LOG.warn("call {}: could not record the auth state on the call record: {}", ccid,
            e.toString()));
    if (state != CallerAuthState.AUTHENTICATED && engine.config().hangUp()) {
      long delay = (long) OutcomeTone.forFinalState(state).durationMs() + HANG_UP_MARGIN_MS;
      vertx.setTimer(delay, t -> engine.terminator().hangUp(ccid, state.name().toLowerCase(java.util.Locale.ROOT))
          .onFailure(e -> LOG.warn("call {}: hang-up failed: {}", ccid, e.toString())));
    }
  }

  private void play(OutcomeTone tone) {
    if (closed) {
      return;
    }
    media.stopAudio(); // a new outcome replaces whatever was still playing
    media.play(engine.tone(tone, media.sampleRate()));
  }

  private void armTimer(long deadlineMs) {
    cancelTimer();
    long delay = Math.max(1, deadlineMs - nowMs());
    timerId = vertx.setTimer(delay, t -> {
      timerId = -1;
      if (!closed && machine != null) {
        lastDigitEndNanos = 0; // a timeout submit is measured from the timeout itself
        execute(machine.timeout(nowMs()));
      }
    });
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** Runs {@code handler} with the result on this call's event loop. */
  private <T> void onContext(Future<T> future, io.vertx.core.Handler<io.vertx.core.AsyncResult<T>> handler) {
    future.onComplete(result -> {
      if (Vertx.currentContext() == context) {
        handler.handle(result);
      } else {
        context.runOnContext(v -> handler.handle(result));
      }
    });
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
