package io.tonegate.loadtest;

import io.tonegate.caller.OutcomeTone;
import io.tonegate.caller.OutcomeToneDetector;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;

/**
 * One simulated ACS media stream of a phone caller, frame by frame, without any I/O: the Gatling simulation asks for
 * the next 20 ms frame on every tick and hands over what the gateway sent back.
 *
 * <p>The caller stays quiet for {@link #LEAD_IN_FRAMES}, then for each attempt keys in its digits and {@code #} as
 * real DTMF tones (100 ms on, 100 ms off), and listens for the outcome tone the gateway plays on the socket, which
 * Tonegate's {@link OutcomeToneDetector} recognises. After {@code TRY_AGAIN} it waits for the tone to end and tries
 * its next code; after {@code ACCEPTED} it talks (speech-like noise) until the call's end; after {@code REJECTED} or
 * {@code LOCKED_OUT} it hangs up once the tone is over.
 *
 * <p><b>The decision time.</b> The budget counts from the end of the caller's {@code #} tone to the decision sent
 * back. A frame carries the 20 ms of audio before it is sent (ACS streams in real time), so the {@code #} tone ends
 * when its last frame is sent: that send is the start; the end is the arrival (Gatling's receive timestamp) of the
 * first non-silent AudioData after the {@code #} began. The gateway recognises a key about 30 ms after its tone
 * starts and decides at once, so a fast decision arrives while {@code #} still sounds: recorded as 0 ms, which is what
 * the caller experiences. {@code auth decision from # start} (not budgeted) records the same decision from the first
 * {@code #} audio, which still shows the gateway's work when it is shorter than the tone.
 */
public final class SimulatedCall {

  /** One code entry and the outcome tone it must produce. */
  public record Attempt(String code, OutcomeTone expected) {
  }

  public static final String DECISION = "auth decision";
  public static final String DECISION_FROM_START = "auth decision from # start";
  /** Quiet audio before the first key: the caller listens to a (silent) greeting. */
  public static final int LEAD_IN_FRAMES = 15;
  /** No outcome tone this long after {@code #} ended: the attempt failed. */
  public static final long DECISION_TIMEOUT_MS = 3_000;
  /** After TRY_AGAIN: the tone's length and 200 ms more before keying again. */
  static final int RETRY_PAUSE_FRAMES = (int) (OutcomeTone.TRY_AGAIN.durationMs() / CallAudio.FRAME_MS) + 10;
  /** After a final REJECTED / LOCKED_OUT: the tone's length and 100 ms more. */
  static final int HANG_UP_FRAMES = (int) (OutcomeTone.REJECTED.durationMs() / CallAudio.FRAME_MS) + 5;

  private enum Phase { KEYING, AWAITING, TALKING, DONE }

  private record Step(CallAudio.Frame frame, boolean hashFirst, boolean hashLast) {
  }

  private final List<Attempt> attempts;
  private final String participant;
  private final long talkUntilMs;
  private final long measuredFromMs;
  private final CallAudio.Timestamps clock = new CallAudio.Timestamps();
  private final Deque<Step> queue = new ArrayDeque<>();
  private final List<RecordTimings.Timing> timings = new ArrayList<>();

  private Phase phase = Phase.KEYING;
  private int attempt = -1;
  private int talkFrame;
  private boolean listening;
  private long hashFirstSentMs;
  private long hashLastSentMs;
  private long decisionAtMs;
  private OutcomeTone heard;
  private OutcomeToneDetector detector;
  private OutcomeTone finalOutcome;
  private int audioSinceHash;

  /**
   * @param attempts the codes the caller keys in, in order, with the tone each must produce
   * @param participant the caller's raw id in AudioData ({@code 4:+15551234567})
   * @param talkUntilMs when an accepted call hangs up (epoch ms)
   * @param measuredFromMs decisions whose {@code #} starts earlier are recorded as warm-up
   */
  public SimulatedCall(List<Attempt> attempts, String participant, long talkUntilMs, long measuredFromMs) {
    if (attempts.isEmpty()) {
      throw new IllegalArgumentException("a call needs at least one attempt");
    }
    this.attempts = List.copyOf(attempts);
    this.participant = participant;
    this.talkUntilMs = talkUntilMs;
    this.measuredFromMs = measuredFromMs;
    silence(LEAD_IN_FRAMES);
  }

  /** The AudioData message to send now (every 20 ms), stamped {@code nowMs}. */
  public String nextFrame(long nowMs) {
    CallAudio.Frame frame = next(nowMs);
    return frame.message(clock, nowMs, participant);
  }

  private CallAudio.Frame next(long nowMs) {
    if (phase == Phase.AWAITING) {
      await(nowMs);
    }
    if (phase == Phase.KEYING && queue.isEmpty()) {
      startAttempt();
    }
    if (phase == Phase.TALKING) {
      if (nowMs >= talkUntilMs) {
        phase = Phase.DONE;
      }
      return CallAudio.NOISE.get(talkFrame++ % CallAudio.NOISE.size());
    }
    Step step = queue.poll();
    if (step == null) {
      if (attempt >= attempts.size() || phase == Phase.DONE) {
        phase = Phase.DONE;
      }
      return CallAudio.SILENCE;
    }
    if (step.hashFirst()) {
      hashFirstSentMs = nowMs;
      decisionAtMs = 0;
      heard = null;
      audioSinceHash = 0;
      detector = new OutcomeToneDetector(CallAudio.FORMAT.sampleRate(), (tone, edge) -> {
        if (edge == OutcomeToneDetector.Edge.START && heard == null) {
          heard = tone;
        }
      });
      listening = true;
    }
    if (step.hashLast()) {
      hashLastSentMs = nowMs;
      phase = Phase.AWAITING;
    }
    return step.frame();
  }

  private void startAttempt() {
    attempt++;
    if (attempt >= attempts.size()) {
      phase = Phase.DONE;
      return;
    }
    for (char key : attempts.get(attempt).code().toCharArray()) {
      for (CallAudio.Frame f : CallAudio.tone(key)) {
        queue.add(new Step(f, false, false));
      }
      silence(CallAudio.GAP_FRAMES);
    }
    List<CallAudio.Frame> hash = CallAudio.tone('#');
    for (int i = 0; i < hash.size(); i++) {
      queue.add(new Step(hash.get(i), i == 0, i == hash.size() - 1));
    }
  }

  /** Waiting for the outcome of the current attempt (all of {@code #} sent). */
  private void await(long nowMs) {
    Attempt current = attempts.get(attempt);
    if (heard == null) {
      if (nowMs - hashLastSentMs > DECISION_TIMEOUT_MS) {
        record(false, "no outcome tone within " + DECISION_TIMEOUT_MS + " ms of #"
            + (audioSinceHash > 0 ? " (audio came back, not recognised)" : ""), nowMs);
        listening = false;
        phase = Phase.TALKING; // ACS keeps streaming whatever the gateway does: the load stays what it was
      }
      return;
    }
    listening = false;
    boolean expected = heard == current.expected();
    record(expected, expected ? "" : "heard " + heard + ", expected " + current.expected(), decisionAtMs);
    if (!expected) {
      finalOutcome = heard;
      phase = Phase.KEYING;
      attempt = attempts.size();
      silence(HANG_UP_FRAMES);
      return;
    }
    switch (heard) {
      case TRY_AGAIN -> {
        phase = Phase.KEYING;
        silence(RETRY_PAUSE_FRAMES);
      }
      case ACCEPTED -> {
        finalOutcome = heard;
        phase = Phase.TALKING;
      }
      case REJECTED, LOCKED_OUT -> {
        finalOutcome = heard;
        phase = Phase.KEYING;
        attempt = attempts.size();
        silence(HANG_UP_FRAMES);
      }
    }
  }

  private void record(boolean ok, String problem, long endMs) {
    boolean warmUp = hashFirstSentMs < measuredFromMs;
    String prefix = warmUp ? LoadProfile.WARM_UP_PREFIX : "";
    long hashStartMs = hashFirstSentMs - CallAudio.FRAME_MS;
    if (ok) {
      timings.add(RecordTimings.Timing.ok(prefix + DECISION, hashLastSentMs, endMs));
      timings.add(RecordTimings.Timing.ok(prefix + DECISION_FROM_START, hashStartMs, endMs));
    } else {
      timings.add(RecordTimings.Timing.failed(prefix + DECISION, hashLastSentMs, endMs, problem));
    }
  }

  /** What the gateway sent on the socket, with Gatling's arrival timestamp. */
  public void onInbound(long timestampMs, String text) {
    if (!listening || heard != null || timestampMs < hashFirstSentMs) {
      return; // not waiting for an outcome, or a leftover of the previous one
    }
    if (!text.contains("\"AudioData\"") || text.contains("\"isSilent\":true")) {
      return; // StopAudio, silence
    }
    int key = text.indexOf("\"data\":\"");
    if (key < 0) {
      return;
    }
    int start = key + 8;
    int end = text.indexOf('"', start);
    if (decisionAtMs == 0) {
      decisionAtMs = timestampMs;
    }
    audioSinceHash++;
    detector.feed(Base64.getDecoder().decode(text.substring(start, end)));
  }

  /** True while the call waits for an outcome: its inbound messages matter. */
  public boolean listening() {
    return listening;
  }

  public boolean finished() {
    return phase == Phase.DONE;
  }

  /** The outcome the call ended with (null before). */
  public OutcomeTone finalOutcome() {
    return finalOutcome;
  }

  public boolean hasTimings() {
    return !timings.isEmpty();
  }

  /** The decisions measured since the last call, for {@link RecordTimings}. */
  public List<RecordTimings.Timing> takeTimings() {
    List<RecordTimings.Timing> out = List.copyOf(timings);
    timings.clear();
    return out;
  }

  private void silence(int frames) {
    for (int i = 0; i < frames; i++) {
      queue.add(new Step(CallAudio.SILENCE, false, false));
    }
  }
}
