package io.tonegate.caller;

/**
 * The authentication state machine of one call, as pure logic: no timers, no I/O, no clock. The runtime
 * ({@link CallerSession}) feeds it events with the current time and carries out the {@link Step} each returns:
 * arming the one timer, asking Redis, playing tones.
 *
 * <p>Rules (see docs/caller-auth.md):
 * <ul>
 *   <li>Flows with a code start {@code COLLECTING}: digits {@code 0-9} accumulate; the terminator submits the entry;
 *       {@code *} clears it; the inter-digit timeout submits a non-empty entry; the first-digit timeout with nothing
 *       entered is a {@link AttemptOutcome#NO_INPUT} failure. A terminator with nothing entered is ignored (a late or
 *       doubled {@code #} must not cost an attempt).</li>
 *   <li>An entry shorter than {@code minLength}, longer than {@code maxLength}, or with {@code A-D} is an
 *       {@link AttemptOutcome#INVALID_ENTRY} failure without asking Redis.</li>
 *   <li>Every failure (wrong code, no input, invalid entry) counts; at {@code maxAttempts} the call is
 *       {@code REJECTED}, before that the caller hears "try again" and collection restarts.</li>
 *   <li>An attempt Redis could not decide ({@link AttemptOutcome#UNAVAILABLE}) is not a wrong code: the caller hears
 *       "try again"; it has its own budget, {@code maxUnavailable}, after which the call is {@code REJECTED} (fail
 *       closed).</li>
 *   <li>A rate limit ({@link AttemptOutcome#LOCKED_OUT}) ends the call at once.</li>
 *   <li>Flows without a code go straight to {@code VALIDATING}; a missing key rejects at once (the caller cannot
 *       change anything), an unavailable check is retried after {@code automaticRetryDelay}.</li>
 *   <li>Digits are taken only while {@code COLLECTING}; final states ignore every event.</li>
 * </ul>
 * Not thread-safe: one call's events arrive on one event loop.
 */
public final class CallerAuthMachine {

  /** What the runtime must do after an event. */
  public sealed interface Step permits Wait, Validate, Retry, Finish, Unchanged {
  }

  /** Keep collecting; (re)arm the timer for {@code deadlineMs}. */
  public record Wait(long deadlineMs) implements Step {
  }

  /** Check {@code code} (empty in flows without a code) against Redis and report with {@link #result}. */
  public record Validate(String code) implements Step {
    @Override
    public String toString() {
      return "Validate[code=" + "*".repeat(code.length()) + "]"; // never the digits themselves
    }
  }

  /** The attempt failed with {@code outcome}: play "try again", collect again, arm the timer for {@code deadlineMs}. */
  public record Retry(AttemptOutcome outcome, long deadlineMs) implements Step {
  }

  /** The call's authentication is decided: {@code state} is final; {@code outcome} is the last attempt's. */
  public record Finish(CallerAuthState state, AttemptOutcome outcome) implements Step {
  }

  /** Nothing to do (an ignored digit, a stale timer). */
  public enum Unchanged implements Step { INSTANCE }

  private final CollectionRules rules;
  private final boolean collectsCode;
  private final StringBuilder entry = new StringBuilder();
  private CallerAuthState state = CallerAuthState.PENDING;
  private boolean invalidKey;
  private long deadlineMs = Long.MAX_VALUE;
  private int failures;
  private int unavailable;
  private int attempts;

  /** @param collectsCode whether the caller enters a code (PSTN, SIP with code) or the key is looked up directly */
  public CallerAuthMachine(CollectionRules rules, boolean collectsCode) {
    this.rules = rules;
    this.collectsCode = collectsCode;
  }

  public CallerAuthState state() {
    return state;
  }

  /** Decided attempts so far (every outcome, including unavailable ones). */
  public int attempts() {
    return attempts;
  }

  public boolean collectsCode() {
    return collectsCode;
  }

  /** Length of the entry in progress (never its digits). */
  public int entryLength() {
    return entry.length();
  }

  /** The media session started. */
  public Step start(long nowMs) {
    if (state != CallerAuthState.PENDING) {
      return Unchanged.INSTANCE;
    }
    if (!collectsCode) {
      state = CallerAuthState.VALIDATING;
      return new Validate("");
    }
    state = CallerAuthState.COLLECTING;
    return waitUntil(nowMs + rules.firstDigitTimeout().toMillis());
  }

  /** The caller pressed {@code key} ({@code 0-9 * # A-D}). */
  public Step digit(char key, long nowMs) {
    if (state != CallerAuthState.COLLECTING || !collectsCode) {
      return Unchanged.INSTANCE;
    }
    if (key == rules.terminator()) {
      return entry.length() == 0 && !invalidKey ? Unchanged.INSTANCE : submit(nowMs);
    }
    if (key == '*') {
      clearEntry();
      return waitUntil(nowMs + rules.firstDigitTimeout().toMillis());
    }
    if (key >= '0' && key <= '9') {
      if (entry.length() <= rules.maxLength()) { // one past the maximum is enough to know it is too long
        entry.append(key);
      }
    } else {
      invalidKey = true;
    }
    return waitUntil(nowMs + rules.interDigitTimeout().toMillis());
  }

  /** The timer armed for the last deadline fired (earlier, stale firings are ignored). */
  public Step timeout(long nowMs) {
    if (state != CallerAuthState.COLLECTING || nowMs < deadlineMs) {
      return Unchanged.INSTANCE;
    }
    deadlineMs = Long.MAX_VALUE;
    if (!collectsCode) {
      state = CallerAuthState.VALIDATING;
      return new Validate("");
    }
    if (entry.length() == 0 && !invalidKey) {
      return fail(AttemptOutcome.NO_INPUT, nowMs);
    }
    return submit(nowMs);
  }

  /**
   * The answer to the last {@link Validate}: {@link AttemptOutcome#ACCEPTED}, {@link AttemptOutcome#WRONG_CODE},
   * {@link AttemptOutcome#UNAVAILABLE} or {@link AttemptOutcome#LOCKED_OUT}.
   */
  public Step result(AttemptOutcome outcome, long nowMs) {
    if (state != CallerAuthState.VALIDATING) {
      return Unchanged.INSTANCE;
    }
    return switch (outcome) {
      case ACCEPTED -> finish(CallerAuthState.AUTHENTICATED, outcome);
      case LOCKED_OUT -> finish(CallerAuthState.LOCKED_OUT, outcome);
      case UNAVAILABLE -> {
        attempts++;
        unavailable++;
        if (unavailable >= rules.maxUnavailable()) {
          yield new Finish(state = CallerAuthState.REJECTED, outcome);
        }
        state = CallerAuthState.COLLECTING;
        long delay = collectsCode ? rules.firstDigitTimeout().toMillis() : rules.automaticRetryDelay().toMillis();
        deadlineMs = nowMs + delay;
        yield new Retry(outcome, deadlineMs);
      }
      case WRONG_CODE -> collectsCode ? fail(outcome, nowMs) : finish(CallerAuthState.REJECTED, outcome);
      default -> throw new IllegalArgumentException("not a validation result: " + outcome);
    };
  }

  /** The call went away: nothing more happens. Returns the state it ended in. */
  public CallerAuthState close() {
    deadlineMs = Long.MAX_VALUE;
    clearEntry();
    return state;
  }

  private Step submit(long nowMs) {
    boolean valid = !invalidKey && entry.length() >= rules.minLength() && entry.length() <= rules.maxLength();
    String code = entry.toString();
    clearEntry();
    if (!valid) {
      return fail(AttemptOutcome.INVALID_ENTRY, nowMs);
    }
    state = CallerAuthState.VALIDATING;
    deadlineMs = Long.MAX_VALUE;
    return new Validate(code);
  }

  private Step fail(AttemptOutcome outcome, long nowMs) {
    attempts++;
    failures++;
    if (failures >= rules.maxAttempts()) {
      deadlineMs = Long.MAX_VALUE;
      return new Finish(state = CallerAuthState.REJECTED, outcome);
    }
    state = CallerAuthState.COLLECTING;
    deadlineMs = nowMs + rules.firstDigitTimeout().toMillis();
    return new Retry(outcome, deadlineMs);
  }

  private Step finish(CallerAuthState end, AttemptOutcome outcome) {
    attempts++;
    deadlineMs = Long.MAX_VALUE;
    state = end;
    return new Finish(end, outcome);
  }

  private Step waitUntil(long deadline) {
    deadlineMs = deadline;
    return new Wait(deadline);
  }

  private void clearEntry() {
    entry.setLength(0);
    invalidKey = false;
  }
}
