package io.tonegate.dtmf;

import java.util.Objects;

/**
 * A streaming DTMF receiver for one audio stream, built to the receiver rules of ITU-T Q.24.
 *
 * <p>Feed it 16-bit mono PCM at 8, 16 or 24 kHz in slices of any length; it reports each digit to its
 * {@link DtmfListener} with the key, sample-accurate start and end, and the level of both tones. Feeding allocates
 * nothing: only a recognised digit creates one {@link DtmfDigit}. One receiver per stream, one thread at a time.
 *
 * <h2>How it works</h2>
 * <ol>
 *   <li>16 and 24 kHz input is decimated to 8 kHz by a short linear-phase FIR (11-tap half-band at 16 kHz, 12 taps
 *       at 24 kHz; at least 50 dB of rejection where an alias would land on a DTMF frequency), so one detector
 *       serves every rate.</li>
 *   <li>Every 5 ms block of 40 samples runs eight Goertzel filters (the DTMF frequencies) and an energy sum. Two
 *       consecutive blocks are combined coherently into a 10 ms analysis window, hopping by 5 ms.</li>
 *   <li>A window is a <em>hit</em> for a key when the strongest row and column tones are each above
 *       {@link #MIN_TONE_DBM0}, dominate the other tones of their group, satisfy the twist limits, together carry
 *       most of the window's energy (speech spreads its energy over many harmonics), and when the phase advance of
 *       each tone between the two halves of the window shows it within the frequency tolerance. The phase test is
 *       what makes the ±1.5%/±3.5% frequency rules achievable with a 10 ms window, whose amplitude response alone
 *       cannot tell 1.5% from 3.5%.</li>
 *   <li>A small state machine applies the duration rules: {@link #MIN_HITS} hits make a digit (tones of 40 ms are
 *       accepted, 20 ms rejected), and {@link #END_MISSES} consecutive misses end it (10 ms dropouts are bridged,
 *       40 ms pauses separate two presses of the same key).</li>
 *   <li>Start and end are refined to better than a millisecond from the amplitude of the partially covered blocks
 *       at the edges of the tone.</li>
 * </ol>
 * See {@code docs/dtmf.md} for the rules, the margins measured, and the reasoning behind each threshold.
 */
public final class DtmfReceiver {

  /** Lowest per-tone level accepted. Q.24 asks for 0 to -25 dBm0 and rejection at -55 dBm0. */
  public static final double MIN_TONE_DBM0 = -38.0;
  /** Largest twist accepted with the high-group tone louder ("normal" twist); Q.24 asks for 6 dB. */
  public static final double MAX_TWIST_HIGH_LOUDER_DB = 8.0;
  /** Largest twist accepted with the low-group tone louder ("reverse" twist); Q.24 asks for 8 dB. */
  public static final double MAX_TWIST_LOW_LOUDER_DB = 10.0;
  /** The strongest tone of a group must exceed every other tone of that group by this much. */
  public static final double MIN_DOMINANCE_DB = 1.5;
  /** Share of the window's energy the two tones must carry; rejects speech, whose energy is spread. */
  public static final double MIN_TONE_ENERGY_FRACTION = 0.90;
  /** Consecutive-ish hits (5 ms apart) needed to recognise a digit: about 30 ms of tone. */
  public static final int MIN_HITS = 5;
  /** Consecutive misses (5 ms apart) that end a digit: a gap of about 25 to 35 ms. */
  public static final int END_MISSES = 6;

  /** 0 dBm0 as the amplitude of a 16-bit sine: full scale (32768) is +3.14 dBm0 (G.711 convention). */
  static final double DBM0_AMPLITUDE = 32768.0 * Math.pow(10, -3.14 / 20);

  static final float[] ROW_HZ = {697, 770, 852, 941};
  static final float[] COL_HZ = {1209, 1336, 1477, 1633};
  private static final char[] KEYS = {
    '1', '2', '3', 'A',
    '4', '5', '6', 'B',
    '7', '8', '9', 'C',
    '*', '0', '#', 'D'};

  /** Block length at 8 kHz: 5 ms. Windows are two blocks (10 ms), hopping by one block. */
  static final int BLOCK = 40;
  static final int WINDOW = 2 * BLOCK;
  private static final int DETECTOR_RATE = 8000;
  private static final int TONES = 8;

  // Goertzel and phase constants per tone (rows 0-3, columns 4-7), at 8 kHz.
  private static final float[] COEF = new float[TONES];
  private static final float[] COS_W = new float[TONES];
  private static final float[] SIN_W = new float[TONES];
  private static final float[] ROT_RE = new float[TONES];
  private static final float[] ROT_IM = new float[TONES];
  /** cos² of the largest phase advance per block allowed for a tone (its frequency tolerance). */
  private static final float[] COS2_LIMIT = new float[TONES];
  /**
   * Cross and self-image terms of the energy of two sines over the window, as factors of a_r a_c, a_r conj(a_c)
   * and a^2 with a in window units (N/2 times the complex amplitude): for sines of complex amplitude b,
   * sum (s_r + s_c)^2 = N(|b_r|^2 + |b_c|^2)/2 + Re[b_r b_c D(w_r + w_c) + b_r conj(b_c) D(w_r - w_c)]
   * + Re[b_r^2 D(2w_r) + b_c^2 D(2w_c)] / 2, with D the Dirichlet kernel of the window.
   */
  private static final float[] SUM_RE = new float[16];
  private static final float[] SUM_IM = new float[16];
  private static final float[] DIFF_RE = new float[16];
  private static final float[] DIFF_IM = new float[16];
  private static final float[] SELF_RE = new float[TONES];
  private static final float[] SELF_IM = new float[TONES];
  /** Per key: the 4x4 real matrix that fits two sines to the row and column window DFTs (see fitPair). */
  private static final float[] FIT = new float[16 * 16];
  /** e^{-jw(BLOCK-1)}: from a Goertzel output to the DFT referenced to the first sample. */
  private static final float[] TO_DFT_RE = new float[TONES];
  private static final float[] TO_DFT_IM = new float[TONES];
  private static final float[] BLOCK_COL_INTO_ROW_RE = new float[16];
  private static final float[] BLOCK_COL_INTO_ROW_IM = new float[16];
  private static final float[] BLOCK_ROW_INTO_COL_RE = new float[16];
  private static final float[] BLOCK_ROW_INTO_COL_IM = new float[16];

  static {
    for (int i = 0; i < TONES; i++) {
      double hz = i < 4 ? ROW_HZ[i] : COL_HZ[i - 4];
      double w = 2 * Math.PI * hz / DETECTOR_RATE;
      COEF[i] = (float) (2 * Math.cos(w));
      COS_W[i] = (float) Math.cos(w);
      SIN_W[i] = (float) Math.sin(w);
      ROT_RE[i] = (float) Math.cos(w * BLOCK);
      ROT_IM[i] = (float) -Math.sin(w * BLOCK);
      // Q.24: accept within ±(1.5% + 2 Hz), reject beyond ±3.5%. The limit sits half-way between.
      double limitHz = (0.015 * hz + 2 + 0.035 * hz) / 2;
      double c = Math.cos(2 * Math.PI * limitHz * BLOCK / DETECTOR_RATE);
      COS2_LIMIT[i] = (float) (c * c);
      double[] self = dirichlet(2 * w, WINDOW);
      SELF_RE[i] = (float) (2.0 / WINDOW / WINDOW * self[0]);
      SELF_IM[i] = (float) (2.0 / WINDOW / WINDOW * self[1]);
      TO_DFT_RE[i] = (float) Math.cos(w * (BLOCK - 1));
      TO_DFT_IM[i] = (float) -Math.sin(w * (BLOCK - 1));
    }
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        double wr = 2 * Math.PI * ROW_HZ[r] / DETECTOR_RATE;
        double wc = 2 * Math.PI * COL_HZ[c] / DETECTOR_RATE;
        int key = r * 4 + c;
        double[] k = leak(wc, wr, BLOCK);
        BLOCK_COL_INTO_ROW_RE[key] = (float) k[0];
        BLOCK_COL_INTO_ROW_IM[key] = (float) k[1];
        k = leak(wr, wc, BLOCK);
        BLOCK_ROW_INTO_COL_RE[key] = (float) k[0];
        BLOCK_ROW_INTO_COL_IM[key] = (float) k[1];
        double[] d = dirichlet(wr + wc, WINDOW);
        SUM_RE[key] = (float) (4.0 / WINDOW / WINDOW * d[0]);
        SUM_IM[key] = (float) (4.0 / WINDOW / WINDOW * d[1]);
        d = dirichlet(wr - wc, WINDOW);
        DIFF_RE[key] = (float) (4.0 / WINDOW / WINDOW * d[0]);
        DIFF_IM[key] = (float) (4.0 / WINDOW / WINDOW * d[1]);
        double[] fit = fitMatrix(wr, wc);
        for (int i = 0; i < 16; i++) {
          FIT[key * 16 + i] = (float) fit[i];
        }
      }
    }
  }

  /** D(a) = sum over n < length of e^{j a n}. */
  private static double[] dirichlet(double a, int length) {
    double re = 0, im = 0;
    for (int n = 0; n < length; n++) {
      re += Math.cos(a * n);
      im += Math.sin(a * n);
    }
    return new double[] {re, im};
  }

  /**
   * The window DFT at w_b of sines s_t = Re(b_t e^{j w_t n}) is sum_t b_t D(w_t - w_b) / 2 + conj(b_t) D(-w_t - w_b) / 2:
   * linear in (Re b, Im b) of both tones. Returns the inverse of that 4x4 map, scaled to window units (N/2).
   */
  private static double[] fitMatrix(double wr, double wc) {
    double[] w = {wr, wc};
    double[][] a = new double[4][8];
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 2; t++) {
        double[] p = dirichlet(w[t] - w[b], WINDOW);
        double[] q = dirichlet(-w[t] - w[b], WINDOW);
        a[2 * b][2 * t] = (p[0] + q[0]) / 2;
        a[2 * b][2 * t + 1] = (-p[1] + q[1]) / 2;
        a[2 * b + 1][2 * t] = (p[1] + q[1]) / 2;
        a[2 * b + 1][2 * t + 1] = (p[0] - q[0]) / 2;
      }
    }
    for (int i = 0; i < 4; i++) {
      a[i][4 + i] = 1;
    }
    for (int c = 0; c < 4; c++) { // Gauss-Jordan with partial pivoting
      int pivot = c;
      for (int r = c + 1; r < 4; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      double[] tmp = a[c];
      a[c] = a[pivot];
      a[pivot] = tmp;
      double d = a[c][c];
      for (int k = 0; k < 8; k++) {
        a[c][k] /= d;
      }
      for (int r = 0; r < 4; r++) {
        if (r != c) {
          double f = a[r][c];
          for (int k = 0; k < 8; k++) {
            a[r][k] -= f * a[c][k];
          }
        }
      }
    }
    double[] inv = new double[16];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        inv[r * 4 + c] = a[r][4 + c] * WINDOW / 2;
      }
    }
    return inv;
  }

  /**
   * How much of a tone at {@code from} (rad/sample) a window tuned to {@code to} picks up, relative to what the
   * window tuned to {@code from} picks up: D(from - to) / n with D the Dirichlet kernel of an n-sample window,
   * turned into the phase convention of the Goertzel outputs (referenced to the end of the first block).
   */
  private static double[] leak(double from, double to, int length) {
    double re = 0, im = 0;
    for (int n = 0; n < length; n++) {
      re += Math.cos((from - to) * n);
      im += Math.sin((from - to) * n);
    }
    double p = (to - from) * (BLOCK - 1);
    return new double[] {
      (re * Math.cos(p) - im * Math.sin(p)) / length,
      (re * Math.sin(p) + im * Math.cos(p)) / length};
  }

  // 16 -> 8 kHz: 11-tap half-band (Parks-McClellan, pass 0-1.8 kHz, stop 6.2-8 kHz), odd taps are zero.
  private static final float[] HALF_BAND_16K = halfBand(0.01113412, -0.0607349, 0.29979368);
  // 24 -> 8 kHz: 12-tap linear phase (Parks-McClellan, pass 0-1.8 kHz, stop 6.2-12 kHz, stop weight 10).
  private static final float[] LOW_PASS_24K = symmetric(
    -0.01100709, -0.02438824, -0.00917735, 0.06733649, 0.19016226, 0.28707393);

  /** Reads a little-endian 16-bit sample from a byte[] in one load. */
  private static final java.lang.invoke.VarHandle LE16 = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
      short[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private final int sampleRate;
  private final DtmfListener listener;
  private final int decimation;
  private final float[] fir;
  private final int history;
  /** Input delay of the decimation filter, in input samples (times are corrected by it). */
  private final double delayInput;

  /** Input samples (as floats) waiting for a full block, after {@code history} samples of filter memory. */
  private final float[] stage;
  private int staged;
  /** The staged input split by phase (decimate()). */
  private final float[] phases;
  private final float[] block = new float[BLOCK];
  private int pendingByte = -1;

  // Thresholds in window-energy units (|Goertzel output|^2 over a 10 ms window).
  private final float minToneEnergy;
  private final float quietBlockEnergy;
  private final float[] gain = new float[TONES];
  private static final float TWIST_HIGH = (float) Math.pow(10, MAX_TWIST_HIGH_LOUDER_DB / 10);
  private static final float TWIST_LOW = (float) Math.pow(10, MAX_TWIST_LOW_LOUDER_DB / 10);
  private static final float DOMINANCE = (float) Math.pow(10, MIN_DOMINANCE_DB / 10);
  private static final float MIN_TONE_ENERGY_FRACTION_F = (float) MIN_TONE_ENERGY_FRACTION;

  /** Goertzel outputs per tone of the last {@link #RING} blocks: the last two make the window, all of them
   * serve to find where a digit's tones start. */
  private static final int RING = 8;
  private final float[] yRe = new float[RING * TONES];
  private final float[] yIm = new float[RING * TONES];
  /** Complex 10 ms window outputs per tone, for this window and the previous one (alternating halves). */
  private final float[] wRe = new float[2 * TONES];
  private final float[] wIm = new float[2 * TONES];
  private long blocks;
  private float prevBlockEnergy;
  private boolean prevQuiet;

  // Digit state machine.
  private int key = -1;
  private boolean active;
  private int hits;
  private int misses;
  private int otherKey = -1;
  private int otherHits;
  private long firstHitBlock;
  private long lastHitBlock;
  private double sumRowEnergy;
  private double sumColEnergy;
  private float firstRowE, firstColE, lastHitRowE, lastHitColE;
  private int levelWindows;
  private long startBlockSample;
  /** |y|^2 at the digit's tones: the blocks up to its first hit (newest first), and from its last hit on. */
  private final float[] onsetRow = new float[RING];
  private final float[] onsetCol = new float[RING];
  private final float[] tailRow = new float[END_MISSES + 1];
  private final float[] tailCol = new float[END_MISSES + 1];
  private long startSample;

  /**
   * @param sampleRate 8000, 16000 or 24000
   * @param listener   receives the digits
   * @throws IllegalArgumentException for any other sample rate
   */
  public DtmfReceiver(int sampleRate, DtmfListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.sampleRate = sampleRate;
    switch (sampleRate) {
      case 8000 -> { decimation = 1; fir = null; }
      case 16000 -> { decimation = 2; fir = HALF_BAND_16K; }
      case 24000 -> { decimation = 3; fir = LOW_PASS_24K; }
      default -> throw new IllegalArgumentException(
        "unsupported sample rate " + sampleRate + " Hz: the DTMF receiver takes 8000, 16000 or 24000 Hz");
    }
    history = fir == null ? 0 : fir.length - 1;
    delayInput = history / 2.0;
    stage = new float[history + BLOCK * decimation];
    phases = new float[decimation * (BLOCK + 5)];
    for (int i = 0; i < TONES; i++) {
      double hz = i < 4 ? ROW_HZ[i] : COL_HZ[i - 4];
      double h = fir == null ? 1 : response(fir, hz / sampleRate);
      gain[i] = (float) (1 / (h * h));
    }
    minToneEnergy = (float) windowEnergy(MIN_TONE_DBM0);
    // A block quieter than a lone tone 6 dB under the minimum cannot be half of a hit: skip its filters.
    double a = DBM0_AMPLITUDE * Math.pow(10, (MIN_TONE_DBM0 - 6) / 20);
    quietBlockEnergy = (float) (BLOCK * a * a / 2);
    reset();
  }

  /** The sample rate this receiver was built for. */
  public int sampleRate() {
    return sampleRate;
  }

  /** Samples fed since construction, {@link #reset()} or {@link #finish()}. */
  public long samplesFed() {
    return blocks * BLOCK * decimation + staged - history;
  }

  /** Feeds {@code len} samples of 16-bit PCM from {@code pcm[off..off+len)}. */
  public void feed(short[] pcm, int off, int len) {
    Objects.checkFromIndexSize(off, len, pcm.length);
    int end = off + len;
    while (off < end) {
      int n = Math.min(end - off, stage.length - staged);
      float[] s = stage;
      int j = staged;
      for (int i = 0; i < n; i++) {
        s[j + i] = pcm[off + i];
      }
      staged += n;
      off += n;
      if (staged == stage.length) {
        processBlock();
      }
    }
  }

  /**
   * Feeds 16-bit little-endian PCM bytes, as ACS sends them, from {@code le16[off..off+len)}. A slice may end in
   * the middle of a sample: the odd byte is kept until the next call.
   */
  public void feed(byte[] le16, int off, int len) {
    Objects.checkFromIndexSize(off, len, le16.length);
    int end = off + len;
    if (pendingByte >= 0 && off < end) {
      stage[staged++] = (short) (pendingByte | (le16[off++] << 8));
      pendingByte = -1;
      if (staged == stage.length) {
        processBlock();
      }
    }
    while (end - off >= 2) {
      int n = Math.min((end - off) >> 1, stage.length - staged);
      float[] s = stage;
      int j = staged;
      for (int i = 0; i < n; i++) {
        s[j + i] = (short) LE16.get(le16, off + 2 * i);
      }
      staged += n;
      off += 2 * n;
      if (staged == stage.length) {
        processBlock();
      }
    }
    if (off < end) {
      pendingByte = le16[off] & 0xff;
    }
  }

  /**
   * Ends the stream: flushes the audio still buffered as if silence followed, reports a digit that was still
   * sounding (ending it where the audio ended), then resets the receiver for a new stream.
   */
  public void finish() {
    streamEnd = samplesFed();
    // Silence long enough to end any digit: END_MISSES windows plus the filter delay.
    int silence = (END_MISSES + 2) * BLOCK * decimation + history;
    for (int i = 0; i < silence; i++) {
      stage[staged++] = 0;
      if (staged == stage.length) {
        processBlock();
      }
    }
    reset();
  }

  /** Forgets everything: the next sample fed is sample 0 of a new stream. */
  public void reset() {
    java.util.Arrays.fill(stage, 0);
    staged = history;
    pendingByte = -1;
    java.util.Arrays.fill(yRe, 0);
    java.util.Arrays.fill(yIm, 0);
    java.util.Arrays.fill(wRe, 0);
    java.util.Arrays.fill(wIm, 0);
    blocks = 0;
    prevBlockEnergy = 0;
    prevQuiet = true;
    clearDigit();
    otherKey = -1;
    otherHits = 0;
    streamEnd = Long.MAX_VALUE;
  }

  /** Where the stream ended (set by {@link #finish()}): no digit ends after it. */
  private long streamEnd = Long.MAX_VALUE;

  // ---------------------------------------------------------------------------------------------------------------
  // Per block: decimate, filter, decide.

  private void processBlock() {
    decimate();
    float[] x = block;
    float e0 = 0, e1 = 0, e2 = 0, e3 = 0; // four sums: no serial chain of additions
    for (int i = 0; i < BLOCK; i += 4) {
      e0 += x[i] * x[i];
      e1 += x[i + 1] * x[i + 1];
      e2 += x[i + 2] * x[i + 2];
      e3 += x[i + 3] * x[i + 3];
    }
    float energy = (e0 + e1) + (e2 + e3);
    int slot = (int) (blocks % RING) * TONES;
    boolean quiet = energy < quietBlockEnergy;
    if (quiet) {
      for (int t = 0; t < TONES; t++) {
        yRe[slot + t] = 0;
        yIm[slot + t] = 0;
      }
    } else if (FMA) {
      goertzelFma(slot);
    } else {
      goertzel(slot);
    }
    int hit;
    if (quiet && prevQuiet) {
      // Nothing in either half of the window: no hit, and the window outputs are zero.
      int win = (int) (blocks & 1) * TONES;
      for (int t = 0; t < TONES; t++) {
        wRe[win + t] = 0;
        wIm[win + t] = 0;
      }
      hit = -1;
    } else {
      hit = classifyWindow(slot, energy);
    }
    prevQuiet = quiet;
    prevBlockEnergy = energy;
    track(hit);
    blocks++;
    if (history > 0) {
      System.arraycopy(stage, stage.length - history, stage, 0, history);
    }
    staged = history;
  }

  /**
   * Filters and decimates the staged input into {@link #block}. The input is first split into its even and odd (or
   * three) phases so that the filter reads every array with unit stride, which the JIT turns into vector code.
   */
  private void decimate() {
    float[] s = stage;
    float[] x = block;
    float[] p = phases;
    if (decimation == 1) {
      System.arraycopy(s, 0, x, 0, BLOCK);
    } else if (decimation == 2) {
      // p0[i] = s[2i], p1[i] = s[2i + 1], for i < BLOCK + 5 (the 10 samples of history included).
      int n = BLOCK + 5;
      for (int i = 0; i < n; i++) {
        p[i] = s[2 * i];
        p[n + i] = s[2 * i + 1];
      }
      // Half-band, centre tap 0.5 at s[2j + 5] = p1[j + 2]; the other taps sit at even offsets: p0[j .. j + 5].
      float h0 = fir[0];
      float h2 = fir[2];
      float h4 = fir[4];
      for (int j = 0; j < BLOCK; j++) {
        x[j] = 0.5f * p[n + j + 2] + h4 * (p[j + 2] + p[j + 3]) + h2 * (p[j + 1] + p[j + 4]) + h0 * (p[j] + p[j + 5]);
      }
    } else {
      // pk[i] = s[3i + k] for i < BLOCK + 3 (the 11 samples of history included).
      int n = BLOCK + 4;
      for (int i = 0; i < BLOCK + 3; i++) {
        p[i] = s[3 * i];
        p[n + i] = s[3 * i + 1];
        p[2 * n + i] = s[3 * i + 2];
      }
      float h0 = fir[0];
      float h1 = fir[1];
      float h2 = fir[2];
      float h3 = fir[3];
      float h4 = fir[4];
      float h5 = fir[5];
      // Tap t reads s[3j + t] = p(t % 3)[j + t / 3]; symmetric taps paired.
      for (int j = 0; j < BLOCK; j++) {
        x[j] = h0 * (p[j] + p[2 * n + j + 3]) + h1 * (p[n + j] + p[n + j + 3]) + h2 * (p[2 * n + j] + p[j + 3])
            + h3 * (p[j + 1] + p[2 * n + j + 2]) + h4 * (p[n + j + 1] + p[n + j + 2]) + h5 * (p[2 * n + j + 1] + p[j + 2]);
      }
    }
  }

  /**
   * Whether the JVM compiles {@link Math#fma} to the FMA instruction. The Goertzel loop's critical path is one fused
   * multiply-add per sample (4 cycles) instead of a multiply and an add; without the instruction Math.fma is a slow
   * software routine, so the plain loop runs instead.
   */
  static final boolean FMA = detectFma();

  private static boolean detectFma() {
    try {
      var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
          com.sun.management.HotSpotDiagnosticMXBean.class);
      return bean != null && "true".equals(bean.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * Eight Goertzel filters over the block in one pass: s[n] = x[n] + 2cos(w) s[n-1] - s[n-2]. Eight independent
   * recurrences keep the core busy; each one's critical path is a single fused multiply-add.
   */
  private void goertzelFma(int slot) {
    float[] x = block;
    float c0 = COEF[0], c1 = COEF[1], c2 = COEF[2], c3 = COEF[3];
    float c4 = COEF[4], c5 = COEF[5], c6 = COEF[6], c7 = COEF[7];
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    float b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
    for (int i = 0; i < BLOCK; i++) {
      float v = x[i];
      float n0 = Math.fma(c0, a0, v - b0);
      float n1 = Math.fma(c1, a1, v - b1);
      float n2 = Math.fma(c2, a2, v - b2);
      float n3 = Math.fma(c3, a3, v - b3);
      float n4 = Math.fma(c4, a4, v - b4);
      float n5 = Math.fma(c5, a5, v - b5);
      float n6 = Math.fma(c6, a6, v - b6);
      float n7 = Math.fma(c7, a7, v - b7);
      b0 = a0; b1 = a1; b2 = a2; b3 = a3; b4 = a4; b5 = a5; b6 = a6; b7 = a7;
      a0 = n0; a1 = n1; a2 = n2; a3 = n3; a4 = n4; a5 = n5; a6 = n6; a7 = n7;
    }
    output(slot, 0, a0, b0);
    output(slot, 1, a1, b1);
    output(slot, 2, a2, b2);
    output(slot, 3, a3, b3);
    output(slot, 4, a4, b4);
    output(slot, 5, a5, b5);
    output(slot, 6, a6, b6);
    output(slot, 7, a7, b7);
  }

  /** The same without FMA: (x[n] - s[n-2]) first, off the critical path, then one multiply and one add. */
  private void goertzel(int slot) {
    float[] x = block;
    float c0 = COEF[0], c1 = COEF[1], c2 = COEF[2], c3 = COEF[3];
    float c4 = COEF[4], c5 = COEF[5], c6 = COEF[6], c7 = COEF[7];
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    float b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
    for (int i = 0; i < BLOCK; i++) {
      float v = x[i];
      float n0 = (v - b0) + c0 * a0;
      float n1 = (v - b1) + c1 * a1;
      float n2 = (v - b2) + c2 * a2;
      float n3 = (v - b3) + c3 * a3;
      float n4 = (v - b4) + c4 * a4;
      float n5 = (v - b5) + c5 * a5;
      float n6 = (v - b6) + c6 * a6;
      float n7 = (v - b7) + c7 * a7;
      b0 = a0; b1 = a1; b2 = a2; b3 = a3; b4 = a4; b5 = a5; b6 = a6; b7 = a7;
      a0 = n0; a1 = n1; a2 = n2; a3 = n3; a4 = n4; a5 = n5; a6 = n6; a7 = n7;
    }
    output(slot, 0, a0, b0);
    output(slot, 1, a1, b1);
    output(slot, 2, a2, b2);
    output(slot, 3, a3, b3);
    output(slot, 4, a4, b4);
    output(slot, 5, a5, b5);
    output(slot, 6, a6, b6);
    output(slot, 7, a7, b7);
  }

  /** y = s[n-1] - e^{-jw} s[n-2]: the block's DFT at w, up to a phase common to every block. */
  private void output(int slot, int t, float s1, float s2) {
    yRe[slot + t] = s1 - COS_W[t] * s2;
    yIm[slot + t] = SIN_W[t] * s2;
  }

  /** Returns the key index (row * 4 + column) the 10 ms window ending with this block is a hit for, or -1. */
  private int classifyWindow(int slot, float blockEnergy) {
    int prev = (int) ((blocks + RING - 1) % RING) * TONES;
    int win = (int) (blocks & 1) * TONES;
    int row = -1;
    int col = -1;
    float rowE = 0, rowE2 = 0, colE = 0, colE2 = 0;
    for (int t = 0; t < TONES; t++) {
      // Window = previous block + this block rotated back by the block's phase advance at the tone.
      float br = yRe[slot + t];
      float bi = yIm[slot + t];
      float qr = ROT_RE[t] * br - ROT_IM[t] * bi;
      float qi = ROT_RE[t] * bi + ROT_IM[t] * br;
      float wr = yRe[prev + t] + qr;
      float wi = yIm[prev + t] + qi;
      wRe[win + t] = wr;
      wIm[win + t] = wi;
      float e = gain[t] * (wr * wr + wi * wi);
      if (t < 4) {
        if (e > rowE) { rowE2 = rowE; rowE = e; row = t; } else if (e > rowE2) { rowE2 = e; }
      } else {
        if (e > colE) { colE2 = colE; colE = e; col = t; } else if (e > colE2) { colE2 = e; }
      }
    }
    // Cheap screens first (most windows of speech or silence stop here). An off-frequency tone reads up to
    // 2.6 dB low in the window, hence the halved level threshold before the correction below.
    if (rowE < 0.5f * minToneEnergy || colE < 0.5f * minToneEnergy) {
      return -1;
    }
    if (rowE < DOMINANCE * rowE2 || colE < DOMINANCE * colE2) {
      return -1;
    }
    // Fit the window with exactly two sines at the pair's frequencies: over 10 ms they are not orthogonal (941 and
    // 1209 Hz leak -20 dB into each other's bin) and each sine's mirror image leaks into its own bin. The fit gives
    // each tone's true complex amplitude whatever the twist and phases.
    int pair = row * 4 + (col - 4);
    fitPair(pair, row, col, TONES - win);
    float pr1 = rowRe, pr2 = rowIm, pc1 = colRe, pc2 = colIm;
    fitPair(pair, row, col, win);
    float rowLoss = frequencyLoss(row, rowRe, rowIm, pr1, pr2);
    float colLoss = frequencyLoss(col, colRe, colIm, pc1, pc2);
    if (rowLoss <= 0 || colLoss <= 0) {
      return -1;
    }
    // |W|^2 each tone would give at its exact frequency (after the decimation filter), and the same corrected for
    // the filter's response: the tone's level at the input.
    float rowP = (rowRe * rowRe + rowIm * rowIm) / rowLoss;
    float colP = (colRe * colRe + colIm * colIm) / colLoss;
    rowE = gain[row] * rowP;
    colE = gain[col] * colP;
    if (rowE < minToneEnergy || colE < minToneEnergy) {
      return -1;
    }
    if (colE > TWIST_HIGH * rowE || rowE > TWIST_LOW * colE) {
      return -1;
    }
    // The energy the two sines put in the window (their powers, their cross term and their image terms) must be
    // most of the window's energy: speech spreads its energy over many harmonics.
    if (modelEnergy(pair, row, col, rowP, colP) < MIN_TONE_ENERGY_FRACTION_F * (prevBlockEnergy + blockEnergy)) {
      return -1;
    }
    lastRowE = rowE;
    lastColE = colE;
    return pair;
  }

  /** Energy of the two fitted sines over the window: powers plus cross and self-image terms (see {@link #SUM_RE}). */
  private float modelEnergy(int pair, int row, int col, float rowP, float colP) {
    float pr = rowRe * colRe - rowIm * colIm; // a_r a_c
    float pi = rowRe * colIm + rowIm * colRe;
    float cr = rowRe * colRe + rowIm * colIm; // a_r conj(a_c)
    float ci = rowIm * colRe - rowRe * colIm;
    float rr = rowRe * rowRe - rowIm * rowIm; // a_r^2
    float ri = 2 * rowRe * rowIm;
    float qr = colRe * colRe - colIm * colIm; // a_c^2
    float qi = 2 * colRe * colIm;
    return (2f / WINDOW) * (rowP + colP)
        + SUM_RE[pair] * pr - SUM_IM[pair] * pi + DIFF_RE[pair] * cr - DIFF_IM[pair] * ci
        + SELF_RE[row] * rr - SELF_IM[row] * ri + SELF_RE[col] * qr - SELF_IM[col] * qi;
  }

  // Output of fitPair(): the pair's complex amplitudes, in window units (N/2 times the sine's complex amplitude,
  // referenced to the window's first sample).
  private float rowRe, rowIm, colRe, colIm;
  /** Level-corrected window energies of the last hit's two tones. */
  private float lastRowE;
  private float lastColE;

  private void fitPair(int pair, int row, int col, int w) {
    // Goertzel outputs carry e^{jw(BLOCK-1)}: turn them into the window's DFT first.
    float xr = wRe[w + row] * TO_DFT_RE[row] - wIm[w + row] * TO_DFT_IM[row];
    float xi = wRe[w + row] * TO_DFT_IM[row] + wIm[w + row] * TO_DFT_RE[row];
    float yr = wRe[w + col] * TO_DFT_RE[col] - wIm[w + col] * TO_DFT_IM[col];
    float yi = wRe[w + col] * TO_DFT_IM[col] + wIm[w + col] * TO_DFT_RE[col];
    int m = pair * 16;
    float[] f = FIT;
    rowRe = f[m] * xr + f[m + 1] * xi + f[m + 2] * yr + f[m + 3] * yi;
    rowIm = f[m + 4] * xr + f[m + 5] * xi + f[m + 6] * yr + f[m + 7] * yi;
    colRe = f[m + 8] * xr + f[m + 9] * xi + f[m + 10] * yr + f[m + 11] * yi;
    colIm = f[m + 12] * xr + f[m + 13] * xi + f[m + 14] * yr + f[m + 15] * yi;
  }

  /**
   * Checks the tone's frequency from its phase advance between the previous window ({@code a}) and this one
   * ({@code b}, 5 ms later), and returns the energy loss of the 10 ms window at that frequency offset (sinc²), or
   * 0 when the tone is outside its tolerance. Whole 10 ms windows, not single 5 ms blocks: in a 5 ms block the
   * other group's tone leaks into the bin at up to -14 dB (941 and 1209 Hz are only 268 Hz apart).
   */
  private static float frequencyLoss(int t, float br, float bi, float ar, float ai) {
    float qr = ROT_RE[t] * br - ROT_IM[t] * bi;
    float qi = ROT_RE[t] * bi + ROT_IM[t] * br;
    float re = qr * ar + qi * ai; // Re(q * conj(a)) = |q||a| cos(phase advance)
    if (re <= 0) {
      return 0;
    }
    float im = qi * ar - qr * ai;
    float norm2 = re * re + im * im;
    if (re * re < COS2_LIMIT[t] * norm2) {
      return 0;
    }
    // Offset of theta rad per block = theta / BLOCK rad per sample: the 2-block window loses sinc²(theta).
    // Series in u = 1 - cos(theta) (theta^2 = acos(1 - u)^2), then in theta^2; within 1% up to the widest
    // tolerance (theta = 1.31 rad at 1633 Hz), exact near 0 where accepted digits are. No atan2, no sin.
    float u = 1 - re / (float) Math.sqrt(norm2);
    float t2 = u * (2 + u * (1f / 3 + u * (8f / 45 + u * (4f / 35 + u * (32f / 1575)))));
    return 1 + t2 * (-1f / 3 + t2 * (2f / 45 + t2 * (-1f / 315 + t2 * (2f / 14175))));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Digit state machine (in blocks of 5 ms).

  private void track(int hit) {
    if (key >= 0 && hit == key) {
      hits++;
      misses = 0;
      otherHits = 0;
      lastHitBlock = blocks;
      addLevel();
      tailRow[0] = blockPower(blocks, true);
      tailCol[0] = blockPower(blocks, false);
      if (!active && hits >= MIN_HITS) {
        startDigit();
      }
      return;
    }
    if (key >= 0) {
      misses++;
      tailRow[misses] = blockPower(blocks, true);
      tailCol[misses] = blockPower(blocks, false);
      if (hit >= 0) {
        if (hit == otherKey) {
          otherHits++;
        } else {
          otherKey = hit;
          otherHits = 1;
        }
      } else {
        otherHits = 0;
      }
      if (misses >= END_MISSES) {
        endDigit();
        if (otherHits > 0) {
          // Another key took over without a pause: keep counting its hits.
          int taken = otherHits;
          beginCandidate(otherKey);
          hits = taken;
        }
      }
      return;
    }
    if (hit >= 0) {
      beginCandidate(hit);
    }
  }

  private void beginCandidate(int k) {
    key = k;
    active = false;
    hits = 1;
    misses = 0;
    otherKey = -1;
    otherHits = 0;
    firstHitBlock = blocks;
    lastHitBlock = blocks;
    sumRowEnergy = 0;
    sumColEnergy = 0;
    levelWindows = 0;
    addLevel();
    for (int i = 0; i < RING; i++) {
      onsetRow[i] = blockPower(blocks - i, true);
      onsetCol[i] = blockPower(blocks - i, false);
    }
    tailRow[0] = onsetRow[0];
    tailCol[0] = onsetCol[0];
  }

  private void addLevel() {
    if (levelWindows == 0) {
      firstRowE = lastRowE;
      firstColE = lastColE;
    }
    lastHitRowE = lastRowE;
    lastHitColE = lastColE;
    sumRowEnergy += lastRowE;
    sumColEnergy += lastColE;
    levelWindows++;
  }

  /**
   * Mean window energy of the digit's row (or column) tone over its hits, leaving out the first and last hit when
   * there are enough: those windows are only partly inside the tone.
   */
  private double meanEnergy(boolean rowTone) {
    double sum = rowTone ? sumRowEnergy : sumColEnergy;
    if (levelWindows < 3) {
      return sum / levelWindows;
    }
    return (sum - (rowTone ? firstRowE + lastHitRowE : firstColE + lastHitColE)) / (levelWindows - 2);
  }

  /**
   * |y|^2 of the digit's row or column tone in a recent block (zero before the stream started), with the other
   * tone's leakage removed: in a 5 ms block it reaches -14 dB and would blur the edges by a millisecond or two.
   */
  private float blockPower(long block, boolean rowTone) {
    if (block < 0) {
      return 0;
    }
    int s = (int) (block % RING) * TONES;
    int row = key >> 2;
    int col = 4 + (key & 3);
    float ar = yRe[s + row], ai = yIm[s + row];
    float br = yRe[s + col], bi = yIm[s + col];
    float re, im;
    if (rowTone) {
      re = ar - (BLOCK_COL_INTO_ROW_RE[key] * br - BLOCK_COL_INTO_ROW_IM[key] * bi);
      im = ai - (BLOCK_COL_INTO_ROW_RE[key] * bi + BLOCK_COL_INTO_ROW_IM[key] * br);
    } else {
      re = br - (BLOCK_ROW_INTO_COL_RE[key] * ar - BLOCK_ROW_INTO_COL_IM[key] * ai);
      im = bi - (BLOCK_ROW_INTO_COL_RE[key] * ai + BLOCK_ROW_INTO_COL_IM[key] * ar);
    }
    return re * re + im * im;
  }

  private void startDigit() {
    active = true;
    // The first hit's second block lies fully inside the tone (a window that is a hit is at least 70% tone).
    // Walk back over the blocks before it: full ones count whole, the first partial one by its coverage.
    double start8k = firstHitBlock * BLOCK;
    for (int i = 1; i < RING; i++) {
      double c = coverage(onsetRow[i], onsetCol[i]);
      if (c >= FULL_BLOCK) {
        start8k -= BLOCK;
        continue;
      }
      if (c >= EMPTY_BLOCK) {
        start8k -= c * BLOCK;
      }
      break;
    }
    startSample = Math.max(0, Math.round(start8k * decimation - delayInput));
    listener.onDigitStarted(KEYS[key], startSample);
  }

  private void endDigit() {
    if (active) {
      // The last hit's first block lies fully inside the tone; walk forward from the last hit's second block.
      double end8k = lastHitBlock * BLOCK;
      for (int i = 0; i <= misses; i++) {
        double c = coverage(tailRow[i], tailCol[i]);
        if (c >= FULL_BLOCK) {
          end8k += BLOCK;
          continue;
        }
        if (c >= EMPTY_BLOCK) {
          end8k += c * BLOCK;
        }
        break;
      }
      long endSample = Math.min(streamEnd, Math.round(end8k * decimation - delayInput));
      endSample = Math.max(endSample, startSample + 1);
      listener.onDigit(new DtmfDigit(KEYS[key], startSample, endSample, sampleRate,
        (float) toDbm0(meanEnergy(true)), (float) toDbm0(meanEnergy(false))));
    }
    clearDigit();
  }

  /**
   * Blocks whose coverage reads at least this are counted as fully inside the tone: a 5 ms block's amplitude
   * ripples by about ±5% with the tone's phase (the sine's negative-frequency image leaks into the bin).
   */
  private static final double FULL_BLOCK = 0.85;
  /** Blocks reading less than this are counted as outside the tone (noise, or a sliver of it). */
  private static final double EMPTY_BLOCK = 0.15;

  /** How much of a block the digit's tones cover, from their amplitude relative to the digit's mean. */
  private double coverage(float row, float col) {
    // Mean window energy per tone, as the |y|^2 of one full block (a window is two blocks: twice the amplitude).
    double refRow = meanEnergy(true) / 4 / gain[key >> 2];
    double refCol = meanEnergy(false) / 4 / gain[4 + (key & 3)];
    return (Math.sqrt(row / refRow) + Math.sqrt(col / refCol)) / 2;
  }

  private void clearDigit() {
    key = -1;
    active = false;
    hits = 0;
    misses = 0;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Levels and filters.

  /** |Goertzel|^2 of a 10 ms window holding one sine at {@code dbm0}. */
  static double windowEnergy(double dbm0) {
    double a = DBM0_AMPLITUDE * Math.pow(10, dbm0 / 20);
    double half = a * WINDOW / 2;
    return half * half;
  }

  private static double toDbm0(double windowEnergy) {
    double a = 2 * Math.sqrt(windowEnergy) / WINDOW;
    return 20 * Math.log10(Math.max(a, 1e-9) / DBM0_AMPLITUDE);
  }

  private static float[] halfBand(double h0, double h2, double h4) {
    double scale = 0.25 / (h0 + h2 + h4); // exact half-band: side taps sum to 0.5 with the centre at 0.5
    float[] h = new float[11];
    h[0] = h[10] = (float) (h0 * scale);
    h[2] = h[8] = (float) (h2 * scale);
    h[4] = h[6] = (float) (h4 * scale);
    h[5] = 0.5f;
    return h;
  }

  private static float[] symmetric(double... half) {
    double sum = 0;
    for (double v : half) {
      sum += 2 * v;
    }
    float[] h = new float[2 * half.length];
    for (int i = 0; i < half.length; i++) {
      h[i] = h[h.length - 1 - i] = (float) (half[i] / sum);
    }
    return h;
  }

  /** Magnitude response of an FIR at a frequency given as a fraction of its sample rate. */
  private static double response(float[] h, double f) {
    double re = 0, im = 0;
    for (int i = 0; i < h.length; i++) {
      re += h[i] * Math.cos(2 * Math.PI * f * i);
      im -= h[i] * Math.sin(2 * Math.PI * f * i);
    }
    return Math.hypot(re, im);
  }
}
