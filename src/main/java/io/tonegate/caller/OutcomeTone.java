package io.tonegate.caller;

import io.tonegate.audio.ToneGenerator;

/**
 * The short tone sequences the gateway plays to the caller on the media socket when an attempt is decided. Each
 * outcome has its own frequency, so a caller (or the simulator, with {@link OutcomeToneDetector}) can tell them apart
 * without speech. The frequencies are outside the DTMF groups (697-941 and 1209-1633 Hz, ITU-T Q.23) and at least
 * 400 Hz apart, so a 20 ms analysis frame (50 Hz resolution) separates them cleanly, and below 4 kHz so they survive
 * narrowband (8 kHz) legs.
 */
public enum OutcomeTone {

  /** Authenticated: two short high beeps. */
  ACCEPTED(1900, new double[] {150, 100, 150}),
  /** Wrong code, too short, no input, or the check could not be made (Redis unavailable): enter the code again. */
  TRY_AGAIN(1100, new double[] {150, 100, 150}),
  /** Too many failed attempts on this call: one long low tone, then the call is hung up. */
  REJECTED(500, new double[] {700}),
  /** A rate limit (per caller number or per call) is exhausted: one long high tone, then the call is hung up. */
  LOCKED_OUT(2300, new double[] {700});

  /** Level of every outcome tone: comfortably audible, far from clipping. */
  public static final double LEVEL_DBM0 = -10.0;

  private final double hz;
  /** Alternating on / off durations in milliseconds, starting with a tone. */
  private final double[] cadenceMs;

  OutcomeTone(double hz, double[] cadenceMs) {
    this.hz = hz;
    this.cadenceMs = cadenceMs;
  }

  public double hz() {
    return hz;
  }

  /** Total duration of the sequence in milliseconds. */
  public double durationMs() {
    double total = 0;
    for (double ms : cadenceMs) {
      total += ms;
    }
    return total;
  }

  /** The sequence as 16-bit little-endian mono PCM at {@code sampleRate}. */
  public byte[] pcm(int sampleRate) {
    ToneGenerator generator = new ToneGenerator(sampleRate);
    for (int i = 0; i < cadenceMs.length; i++) {
      if (i % 2 == 0) {
        generator.tone(hz, cadenceMs[i], LEVEL_DBM0);
      } else {
        generator.silence(cadenceMs[i]);
      }
    }
    return generator.toPcm();
  }

  /** The tone an authentication state ends with, or the prompt to retry. */
  public static OutcomeTone forFinalState(CallerAuthState state) {
    return switch (state) {
      case AUTHENTICATED -> ACCEPTED;
      case REJECTED -> REJECTED;
      case LOCKED_OUT -> LOCKED_OUT;
      default -> throw new IllegalArgumentException("not a final state: " + state);
    };
  }
}
