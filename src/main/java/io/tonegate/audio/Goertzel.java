package io.tonegate.audio;

/**
 * Power of one frequency in a block of PCM samples (the Goertzel algorithm), for recognising known tones without a
 * full FFT. Pure Java, no allocation per call.
 */
public final class Goertzel {

  private Goertzel() {
  }

  /**
   * Power of {@code hz} in {@code count} samples of 16-bit PCM {@code pcm} starting at sample {@code from},
   * normalised so that a full-scale sine exactly on the bin gives about 1.0 and silence 0.
   */
  public static double power(byte[] pcm, int from, int count, int sampleRate, double hz) {
    double coefficient = 2 * Math.cos(2 * Math.PI * hz / sampleRate);
    double s1 = 0;
    double s2 = 0;
    for (int i = 0; i < count; i++) {
      double s0 = Pcm16.sample(pcm, from + i) / 32768.0 + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    return power / (count * count / 4.0);
  }

  /** Mean power of the same block (full-scale sine = 0.5). */
  public static double energy(byte[] pcm, int from, int count) {
    double sum = 0;
    for (int i = 0; i < count; i++) {
      double s = Pcm16.sample(pcm, from + i) / 32768.0;
      sum += s * s;
    }
    return count == 0 ? 0 : sum / count;
  }
}
