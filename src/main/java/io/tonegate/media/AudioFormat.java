package io.tonegate.media;

/**
 * The format of a media stream, fixed by its {@code AudioMetadata} message (acs-wire.md §1.2, §1.3): 16-bit
 * little-endian signed PCM, mono, 16 or 24 kHz, one frame every 20 ms.
 *
 * @param encoding   {@code PCM} (the only encoding ACS sends)
 * @param sampleRate 16000 or 24000
 * @param channels   1
 * @param frameBytes bytes of PCM per AudioData frame ({@code length}; 640 at 16 kHz, 960 at 24 kHz)
 */
public record AudioFormat(String encoding, int sampleRate, int channels, int frameBytes) {

  public static final AudioFormat PCM_16K = new AudioFormat("PCM", 16_000, 1, 640);
  public static final AudioFormat PCM_24K = new AudioFormat("PCM", 24_000, 1, 960);

  /** The standard 20 ms mono PCM format at this rate. */
  public static AudioFormat pcm(int sampleRate) {
    return new AudioFormat("PCM", sampleRate, 1, sampleRate / 50 * 2);
  }

  /** Bytes of 20 ms of audio at this rate (what one outbound frame carries). */
  public int bytesPer20Ms() {
    return sampleRate / 50 * 2 * channels;
  }
}
