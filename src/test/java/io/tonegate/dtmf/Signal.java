package io.tonegate.dtmf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test signal generator: DTMF tones, pauses, white noise and other audio mixed at a given sample rate, then
 * rounded to 16-bit PCM with saturation. Records where each digit was placed, for assertions.
 */
final class Signal {

  /** A digit the signal contains: key and sample interval. */
  record Placed(char key, long startSample, long endSample) {
  }

  static final String KEYS = "123A456B789C*0#D";

  final int rate;
  private final Random random;
  private double[] samples = new double[1024];
  private int length;
  private final List<Placed> placed = new ArrayList<>();

  Signal(int rate, long seed) {
    this.rate = rate;
    this.random = new Random(seed);
  }

  static double rowHz(char key) {
    return DtmfReceiver.ROW_HZ[KEYS.indexOf(key) / 4];
  }

  static double colHz(char key) {
    return DtmfReceiver.COL_HZ[KEYS.indexOf(key) % 4];
  }

  /** Amplitude of a sine at {@code dbm0} (full-scale 16-bit sine = +3.14 dBm0). */
  static double amplitude(double dbm0) {
    return DtmfReceiver.DBM0_AMPLITUDE * Math.pow(10, dbm0 / 20);
  }

  int samples(double ms) {
    return (int) Math.round(ms * rate / 1000);
  }

  Random random() {
    return random;
  }

  int length() {
    return length;
  }

  List<Placed> placed() {
    return placed;
  }

  Signal silence(double ms) {
    grow(samples(ms));
    length += samples(ms);
    return this;
  }

  /** A digit at the nominal frequencies, both tones at {@code dbm0}, random phases. */
  Signal digit(char key, double ms, double dbm0) {
    return digit(key, ms, dbm0, dbm0, 0, 0);
  }

  /**
   * A digit with per-tone levels and relative frequency offsets ({@code 0.02} = 2% high), random phases.
   */
  Signal digit(char key, double ms, double lowDbm0, double highDbm0, double lowOffset, double highOffset) {
    long start = length;
    tones(rowHz(key) * (1 + lowOffset), lowDbm0, colHz(key) * (1 + highOffset), highDbm0, ms);
    placed.add(new Placed(key, start, length));
    return this;
  }

  /** Two sines (either level may be {@code NaN} for none) with random phases, appended. */
  Signal tones(double hz1, double dbm1, double hz2, double dbm2, double ms) {
    int n = samples(ms);
    grow(n);
    double p1 = random.nextDouble() * 2 * Math.PI;
    double p2 = random.nextDouble() * 2 * Math.PI;
    double a1 = Double.isNaN(dbm1) ? 0 : amplitude(dbm1);
    double a2 = Double.isNaN(dbm2) ? 0 : amplitude(dbm2);
    double w1 = 2 * Math.PI * hz1 / rate;
    double w2 = 2 * Math.PI * hz2 / rate;
    for (int i = 0; i < n; i++) {
      samples[length + i] += a1 * Math.sin(w1 * i + p1) + a2 * Math.sin(w2 * i + p2);
    }
    length += n;
    return this;
  }

  /**
   * Adds white Gaussian noise over the whole signal, at {@code dbm0} measured in the 0-4 kHz band (so at 16 and
   * 24 kHz the noise is white up to half the sample rate and stronger in total, as a wideband line would be).
   */
  Signal noise(double dbm0) {
    double sigma = amplitude(dbm0) / Math.sqrt(2) * Math.sqrt(rate / 8000.0);
    for (int i = 0; i < length; i++) {
      samples[i] += sigma * random.nextGaussian();
    }
    return this;
  }

  /** Mixes {@code other} (at this rate) into the signal from {@code at}, scaled by {@code gain}, growing it. */
  Signal mix(float[] other, int from, int count, int at, double gain) {
    if (at + count > length) {
      grow(at + count - length);
      length = at + count;
    }
    for (int i = 0; i < count; i++) {
      samples[at + i] += gain * other[from + i];
    }
    return this;
  }

  short[] pcm() {
    short[] out = new short[length];
    for (int i = 0; i < length; i++) {
      long v = Math.round(samples[i]);
      out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
    return out;
  }

  private void grow(int n) {
    if (length + n > samples.length) {
      samples = Arrays.copyOf(samples, Math.max(2 * samples.length, length + n));
    }
  }
}
