package io.tonegate.dtmf;

/**
 * One DTMF digit decoded from audio.
 *
 * @param key         the key: {@code 0-9}, {@code *}, {@code #}, {@code A-D}
 * @param startSample first sample of the tone, counted from the start of the stream at {@code sampleRate}
 * @param endSample   sample just after the end of the tone (exclusive)
 * @param sampleRate  the stream's sample rate in Hz
 * @param lowDbm0     level of the low-group (row) tone in dBm0
 * @param highDbm0    level of the high-group (column) tone in dBm0
 */
public record DtmfDigit(char key, long startSample, long endSample, int sampleRate, float lowDbm0, float highDbm0) {

  /** Start of the tone in milliseconds from the start of the stream, rounded to the nearest millisecond. */
  public long startMs() {
    return Math.round(startSample * 1000.0 / sampleRate);
  }

  /** End of the tone in milliseconds from the start of the stream, rounded to the nearest millisecond. */
  public long endMs() {
    return Math.round(endSample * 1000.0 / sampleRate);
  }

  /** Duration of the tone in milliseconds. */
  public double durationMs() {
    return (endSample - startSample) * 1000.0 / sampleRate;
  }

  /** Level of the whole digit (power sum of both tones) in dBm0. */
  public double levelDbm0() {
    return 10 * Math.log10(Math.pow(10, lowDbm0 / 10.0) + Math.pow(10, highDbm0 / 10.0));
  }

  /** Twist in dB: the high-group level minus the low-group level (positive when the high tone is louder). */
  public double twistDb() {
    return highDbm0 - lowDbm0;
  }
}
