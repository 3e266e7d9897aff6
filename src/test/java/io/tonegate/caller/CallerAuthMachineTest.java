package io.tonegate.caller;

import io.tonegate.caller.CallerAuthMachine.Finish;
import io.tonegate.caller.CallerAuthMachine.Retry;
import io.tonegate.caller.CallerAuthMachine.Step;
import io.tonegate.caller.CallerAuthMachine.Unchanged;
import io.tonegate.caller.CallerAuthMachine.Validate;
import io.tonegate.caller.CallerAuthMachine.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CallerAuthMachineTest {

  private static final CollectionRules RULES = new CollectionRules('#', 3, 6, Duration.ofSeconds(10),
      Duration.ofSeconds(5), 3, 2, Duration.ofSeconds(1));

  private final CallerAuthMachine machine = new CallerAuthMachine(RULES, true);

  private Step dial(String keys, long atMs) {
    Step last = Unchanged.INSTANCE;
    for (char c : keys.toCharArray()) {
      last = machine.digit(c, atMs);
    }
    return last;
  }

  @Test
  @DisplayName("a code flow starts collecting with the first-digit timeout, and # submits the entry for validation")
  void collectsAndSubmits() {
    assertThat(machine.start(1_000)).isEqualTo(new Wait(11_000));
    assertThat(machine.state()).isEqualTo(CallerAuthState.COLLECTING);
    assertThat(dial("82", 2_000)).isEqualTo(new Wait(7_000));
    assertThat(dial("3#", 3_000)).isEqualTo(new Validate("823"));
    assertThat(machine.state()).isEqualTo(CallerAuthState.VALIDATING);
    assertThat(machine.result(AttemptOutcome.ACCEPTED, 3_010)).isEqualTo(
        new Finish(CallerAuthState.AUTHENTICATED, AttemptOutcome.ACCEPTED));
    assertThat(machine.attempts()).isEqualTo(1);
  }

  @Test
  @DisplayName("a wrong code prompts a retry; the caller may then succeed")
  void wrongThenRight() {
    machine.start(0);
    assertThat(dial("111#", 100)).isEqualTo(new Validate("111"));
    assertThat(machine.result(AttemptOutcome.WRONG_CODE, 200)).isEqualTo(new Retry(AttemptOutcome.WRONG_CODE, 10_200));
    assertThat(machine.state()).isEqualTo(CallerAuthState.COLLECTING);
    assertThat(dial("823#", 300)).isEqualTo(new Validate("823"));
    assertThat(machine.result(AttemptOutcome.ACCEPTED, 400)).isInstanceOf(Finish.class);
    assertThat(machine.state()).isEqualTo(CallerAuthState.AUTHENTICATED);
    assertThat(machine.attempts()).isEqualTo(2);
  }

  @Test
  @DisplayName("the third failure of any kind rejects the call")
  void rejectsAfterMaxAttempts() {
    machine.start(0);
    dial("111#", 10);
    assertThat(machine.result(AttemptOutcome.WRONG_CODE, 20)).isInstanceOf(Retry.class);
    assertThat(machine.timeout(10_020)).isEqualTo(new Retry(AttemptOutcome.NO_INPUT, 20_020));
    assertThat(dial("12#", 20_100)).isEqualTo(new Finish(CallerAuthState.REJECTED, AttemptOutcome.INVALID_ENTRY));
    assertThat(machine.state()).isEqualTo(CallerAuthState.REJECTED);
    assertThat(dial("823#", 20_200)).isEqualTo(Unchanged.INSTANCE);
    assertThat(machine.timeout(99_999)).isEqualTo(Unchanged.INSTANCE);
  }

  @Test
  @DisplayName("too short, too long, or with a letter key: invalid entry without asking Redis")
  void invalidEntries() {
    machine.start(0);
    assertThat(dial("12#", 1)).isEqualTo(new Retry(AttemptOutcome.INVALID_ENTRY, 10_001));
    assertThat(dial("1234567#", 2)).isEqualTo(new Retry(AttemptOutcome.INVALID_ENTRY, 10_002));
    CallerAuthMachine other = new CallerAuthMachine(RULES, true);
    other.start(0);
    assertThat(other.digit('1', 1)).isInstanceOf(Wait.class);
    other.digit('A', 1);
    other.digit('2', 1);
    other.digit('3', 1);
    assertThat(other.digit('#', 2)).isEqualTo(new Retry(AttemptOutcome.INVALID_ENTRY, 10_002));
  }

  @Test
  @DisplayName("the inter-digit timeout submits a non-empty entry; stale timer firings are ignored")
  void interDigitTimeoutSubmits() {
    machine.start(0);
    dial("82", 1_000);
    assertThat(machine.timeout(5_999)).isEqualTo(Unchanged.INSTANCE);
    dial("3", 2_000);
    assertThat(machine.timeout(6_000)).isEqualTo(Unchanged.INSTANCE); // the deadline moved to 7 000
    assertThat(machine.timeout(7_000)).isEqualTo(new Validate("823"));
  }

  @Test
  @DisplayName("* clears the entry; # with nothing entered is ignored and costs nothing")
  void clearAndEmptyTerminator() {
    machine.start(0);
    assertThat(dial("#", 5)).isEqualTo(Unchanged.INSTANCE);
    dial("99*", 10);
    assertThat(machine.entryLength()).isZero();
    assertThat(dial("823#", 20)).isEqualTo(new Validate("823"));
    assertThat(machine.attempts()).isZero();
  }

  @Test
  @DisplayName("digits pressed while validating are ignored")
  void ignoresDigitsWhileValidating() {
    machine.start(0);
    dial("823#", 1);
    assertThat(dial("555#", 2)).isEqualTo(Unchanged.INSTANCE);
    assertThat(machine.result(AttemptOutcome.WRONG_CODE, 3)).isInstanceOf(Retry.class);
    assertThat(machine.entryLength()).isZero();
  }

  @Test
  @DisplayName("an unavailable check is not a wrong code, but its own budget rejects the call when exhausted")
  void unavailableHasItsOwnBudget() {
    machine.start(0);
    dial("823#", 1);
    assertThat(machine.result(AttemptOutcome.UNAVAILABLE, 2)).isEqualTo(new Retry(AttemptOutcome.UNAVAILABLE, 10_002));
    dial("823#", 3);
    assertThat(machine.result(AttemptOutcome.WRONG_CODE, 4)).isInstanceOf(Retry.class);
    dial("823#", 5);
    assertThat(machine.result(AttemptOutcome.UNAVAILABLE, 6))
        .isEqualTo(new Finish(CallerAuthState.REJECTED, AttemptOutcome.UNAVAILABLE));
  }

  @Test
  @DisplayName("a rate-limit refusal locks the call out at once")
  void lockout() {
    machine.start(0);
    dial("823#", 1);
    assertThat(machine.result(AttemptOutcome.LOCKED_OUT, 2))
        .isEqualTo(new Finish(CallerAuthState.LOCKED_OUT, AttemptOutcome.LOCKED_OUT));
    assertThat(machine.state().isFinal()).isTrue();
  }

  @Test
  @DisplayName("a flow without a code validates at once, rejects a missing key, and retries an unavailable check by timer")
  void directFlow() {
    CallerAuthMachine direct = new CallerAuthMachine(RULES, false);
    assertThat(direct.start(0)).isEqualTo(new Validate(""));
    assertThat(direct.digit('1', 1)).isEqualTo(Unchanged.INSTANCE);
    assertThat(direct.result(AttemptOutcome.UNAVAILABLE, 10)).isEqualTo(new Retry(AttemptOutcome.UNAVAILABLE, 1_010));
    assertThat(direct.timeout(1_010)).isEqualTo(new Validate(""));
    assertThat(direct.result(AttemptOutcome.WRONG_CODE, 1_020))
        .isEqualTo(new Finish(CallerAuthState.REJECTED, AttemptOutcome.WRONG_CODE));
  }

  @Test
  @DisplayName("a Validate step never shows the code in its string form")
  void validateHidesCode() {
    assertThat(new Validate("823").toString()).doesNotContain("823").contains("***");
  }
}
