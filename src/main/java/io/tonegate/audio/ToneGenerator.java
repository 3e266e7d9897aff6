package io.tonegate.audio;

import java.io.ByteArrayOutputStream;

/**
 * Builds 16-bit PCM signals from tones and pauses: the gateway's outcome tones, and the DTMF digits the simulator
 * dials. Pure Java; each segment starts and ends with a short raised-cosine ramp so that no click (broadband energy)
 * is produced at the edges.
 *
 * <pre>{@code
 * byte[] pcm = new ToneGenerator(16000).tone(1900, 150, -10).silence(100).tone(1900, 150, -10).toPcm();
 * }</pre>
 */
public final class ToneGenerator {

  /** 0 dBm0 as the amplitude of a 16-bit sine: full scale (32768) is +3.14 dBm0 (the G.711 convention). */
  public static final double DBM0_AMPLITUDE = 32768.0 * Math.pow(10, -3.14 / 20);
  /** Edge ramp length. 2 ms keeps the spectrum of a tone narrow without shortening it noticeably. */
  public static final double RAMP_MS = 2.0;

  /** DTMF row (low group) frequencies in Hz, ITU-T Q.23. */
  private static final double[] ROW_HZ = {697, 770, 852, 941};
  /** DTMF column (high group) frequencies in Hz, ITU-T Q.23. */
  private static final double[] COL_HZ = {1209, 1336, 1477, 1633};
  private static final String KEYS = "123A456B789C*0#D";

  private final int sampleRate;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public ToneGenerator(int sampleRate) {
    if (sampleRate < 8000 || sampleRate > 48000) {
      throw new IllegalArgumentException("sample rate must be 8000..48000 Hz, got " + sampleRate);
    }
    this.sampleRate = sampleRate;
  }

  public int sampleRate() {
    return sampleRate;
  }

  /** Amplitude of a sine at {@code dbm0}. */
  public static double amplitude(double dbm0) {
    return DBM0_AMPLITUDE * Math.pow(10, dbm0 / 20);
  }

  /** Appends a sine of {@code hz} lasting {@code ms} at {@code dbm0}. */
  public ToneGenerator tone(double hz, double ms, double dbm0) {
    return tones(new double[] {hz}, new double[] {dbm0}, ms);
  }

  /** Appends DTMF {@code key} ({@code 0-9 * # A-D}) lasting {@code ms} with both tones at {@code dbm0}. */
  public ToneGenerator dtmf(char key, double ms, double dbm0) {
    int index = KEYS.indexOf(Character.toUpperCase(key));
    if (index < 0) {
      throw new IllegalArgumentException("not a DTMF key: " + key);
    }
    return tones(new double[] {ROW_HZ[index / 4], COL_HZ[index % 4]}, new double[] {dbm0, dbm0}, ms);
  }

  /** Appends {@code ms} of silence. */
  public ToneGenerator silence(double ms) {
    int n = Pcm16.samples(sampleRate, ms);
    out.write(new byte[n * Pcm16.BYTES_PER_SAMPLE], 0, n * Pcm16.BYTES_PER_SAMPLE);
    return this;
  }

  /** The signal so far. */
  public byte[] toPcm() {
    return out.toByteArray();
  }

  /** Duration of the signal so far in milliseconds. */
  public double durationMs() {
    return out.size() / (double) Pcm16.BYTES_PER_SAMPLE * 1000.0 / sampleRate;
  }

  private ToneGenerator tones(double[] hz, double[] dbm0, double ms) {
    int n = Pcm16.samples(sampleRate, ms);
    int ramp = Math.min(n / 2, Pcm16.samples(sampleRate, RAMP_MS));
    byte[] pcm = new byte[n * Pcm16.BYTES_PER_SAMPLE];
    for (int i = 0; i < n; i++) {
      double v = 0;
      for (int t = 0; t < hz.length; t++) {
        v += amplitude(dbm0[t]) * Math.sin(2 * Math.PI * hz[t] * i / sampleRate);
      }
      int edge = Math.min(i, n - 1 - i);
      if (edge < ramp) {
        v *= 0.5 - 0.5 * Math.cos(Math.PI * edge / ramp);
      }
      Pcm16.put(pcm, i, v);
    }
    out.write(pcm, 0, pcm.length);
    return this;
  }
}
