package io.tonegate.dtmf;

/**
 * Band-limited resampling for test material: a Blackman-windowed sinc, 32 taps per output sample, from a table of
 * 512 fractional phases. The cut-off sits at 90% of the lower Nyquist frequency, so nothing aliases into the DTMF
 * band and the result is what a codec at the target rate would carry.
 */
final class Resampler {

  private static final int HALF_TAPS = 16;
  private static final int PHASES = 512;

  private Resampler() {
  }

  static float[] resample(short[] in, int fromRate, int toRate) {
    double step = (double) fromRate / toRate;
    double cutoff = 0.9 * Math.min(1.0, (double) toRate / fromRate); // of the input Nyquist
    float[] table = table(cutoff);
    // Padded copy: no bounds checks in the inner loop.
    float[] x = new float[in.length + 2 * HALF_TAPS + 2];
    for (int i = 0; i < in.length; i++) {
      x[HALF_TAPS + i] = in[i];
    }
    int n = (int) Math.floor((in.length - 1) / step) + 1;
    float[] out = new float[n];
    int taps = 2 * HALF_TAPS;
    for (int j = 0; j < n; j++) {
      double t = j * step;
      int i = (int) t;
      int phase = (int) Math.round((t - i) * PHASES);
      int base = phase * taps;
      int first = i + 1; // x index of input sample i - HALF_TAPS + 1
      float acc = 0;
      for (int k = 0; k < taps; k++) {
        acc += table[base + k] * x[first + k];
      }
      out[j] = acc;
    }
    return out;
  }

  /** Tap k of phase p weighs input sample i - HALF_TAPS + 1 + k for an output at i + p / PHASES. */
  private static float[] table(double cutoff) {
    float[] t = new float[(PHASES + 1) * 2 * HALF_TAPS];
    double[] row = new double[2 * HALF_TAPS];
    for (int p = 0; p <= PHASES; p++) {
      double frac = (double) p / PHASES;
      double sum = 0;
      for (int k = 0; k < 2 * HALF_TAPS; k++) {
        double x = (k - HALF_TAPS + 1) - frac; // distance from the output instant, in input samples
        double sinc = x == 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
        double w = (x + HALF_TAPS) / (2.0 * HALF_TAPS); // 0..1 across the window
        double blackman = w <= 0 || w >= 1 ? 0
            : 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
        row[k] = sinc * blackman;
        sum += sinc * blackman;
      }
      for (int k = 0; k < 2 * HALF_TAPS; k++) {
        t[p * 2 * HALF_TAPS + k] = (float) (row[k] / sum);
      }
    }
    return t;
  }
}
