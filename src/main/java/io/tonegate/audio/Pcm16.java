package io.tonegate.audio;

/**
 * Signed 16-bit little-endian mono PCM, the ACS media format (acs-wire.md §1.3): helpers to read and write samples.
 */
public final class Pcm16 {

  /** Bytes per sample. */
  public static final int BYTES_PER_SAMPLE = 2;

  private Pcm16() {
  }

  /** Samples in {@code durationMs} at {@code sampleRate}, rounded. */
  public static int samples(int sampleRate, double durationMs) {
    return (int) Math.round(sampleRate * durationMs / 1000.0);
  }

  /** Sample {@code index} of little-endian PCM {@code pcm}. */
  public static short sample(byte[] pcm, int index) {
    int i = index * BYTES_PER_SAMPLE;
    return (short) ((pcm[i] & 0xff) | (pcm[i + 1] << 8));
  }

  /** Writes {@code value}, rounded and saturated to 16 bits, as sample {@code index}. */
  public static void put(byte[] pcm, int index, double value) {
    long v = Math.round(value);
    if (v > Short.MAX_VALUE) {
      v = Short.MAX_VALUE;
    } else if (v < Short.MIN_VALUE) {
      v = Short.MIN_VALUE;
    }
    int i = index * BYTES_PER_SAMPLE;
    pcm[i] = (byte) v;
    pcm[i + 1] = (byte) (v >> 8);
  }
}
