package io.tonegate.simulator;

import io.tonegate.dtmf.WavFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What a simulated call sends, as a list of steps, written on the command line as comma-separated
 * {@code name:argument} items:
 * <ul>
 *   <li>{@code silence:500ms}: zero audio, frames marked {@code silent: true};</li>
 *   <li>{@code noise:2s}: speech-like noise (low-passed noise with a syllable-rate envelope, about -20 dBFS);</li>
 *   <li>{@code dtmf:1234#}: DTMF tones, 100 ms each with 100 ms gaps ({@code dtmf:12/60/40} for 60 ms tones with
 *       40 ms gaps), each tone about -9 dBm0;</li>
 *   <li>{@code dtmfdata:12}: one {@code DtmfData} message per digit (no audio);</li>
 *   <li>{@code pause:300ms}: no frames at all for that long (a network stall; ACS itself never pauses);</li>
 *   <li>{@code wav:FILE}: the audio of a 16-bit mono WAV file at the stream's rate.</li>
 * </ul>
 * Durations take {@code ms} or {@code s} (bare numbers are ms). Pure: renders PCM without I/O except {@code wav}.
 */
public final class AudioScript {

  /** One rendered step: audio (with its silent flag), a pause, or DtmfData digits. */
  public record Step(byte[] pcm, boolean silent, long pauseMs, String dtmfData) {

    static Step audio(byte[] pcm, boolean silent) {
      return new Step(pcm, silent, 0, null);
    }
  }

  private static final double TWO_PI = 2 * Math.PI;
  private static final int TONE_AMPLITUDE = 8000; // per tone, about -9 dBm0 (0 dBm0 is about 22760)
  private static final char[] KEYS = "123A456B789C*0#D".toCharArray();
  private static final int[] ROW_HZ = {697, 770, 852, 941};
  private static final int[] COL_HZ = {1209, 1336, 1477, 1633};

  private final String spec;
  private final List<Step> steps;

  private AudioScript(String spec, List<Step> steps) {
    this.spec = spec;
    this.steps = List.copyOf(steps);
  }

  /**
   * Renders {@code spec} at {@code sampleRate}.
   *
   * @throws IllegalArgumentException naming the bad item
   */
  public static AudioScript parse(String spec, int sampleRate) {
    List<Step> steps = new ArrayList<>();
    Random random = new Random(42); // the same noise every run: reproducible tests and benchmarks
    for (String raw : spec.split(",")) {
      String item = raw.trim();
      if (item.isEmpty()) {
        continue;
      }
      int colon = item.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("script item '" + item + "' is not name:argument");
      }
      String name = item.substring(0, colon).toLowerCase(Locale.ROOT);
      String arg = item.substring(colon + 1);
      switch (name) {
        case "silence" -> steps.add(Step.audio(new byte[samples(millis(arg, item), sampleRate) * 2], true));
        case "noise" -> steps.add(Step.audio(noise(samples(millis(arg, item), sampleRate), sampleRate, random), false));
        case "dtmf" -> steps.add(Step.audio(dtmf(arg, sampleRate, item), false));
        case "dtmfdata" -> steps.add(new Step(null, false, 0, validDigits(arg, item)));
        case "pause" -> steps.add(new Step(null, false, millis(arg, item), null));
        case "wav" -> steps.add(Step.audio(wav(Path.of(arg), sampleRate), false));
        default -> throw new IllegalArgumentException("unknown script item '" + item
            + "' (silence, noise, dtmf, dtmfdata, pause, wav)");
      }
    }
    return new AudioScript(spec, steps);
  }

  public List<Step> steps() {
    return steps;
  }

  /** Total audio in milliseconds (pauses included). */
  public long durationMs(int sampleRate) {
    long ms = 0;
    for (Step step : steps) {
      ms += step.pcm() != null ? step.pcm().length * 1000L / 2 / sampleRate : step.pauseMs();
    }
    return ms;
  }

  @Override
  public String toString() {
    return spec;
  }

  /** {@code digits} as tones of {@code toneMs} separated by {@code gapMs} of silence, little-endian PCM. */
  public static byte[] dtmfTones(String digits, int sampleRate, int toneMs, int gapMs) {
    int tone = samples(toneMs, sampleRate);
    int gap = samples(gapMs, sampleRate);
    byte[] out = new byte[digits.length() * (tone + gap) * 2];
    int pos = 0;
    for (char c : digits.toCharArray()) {
      int index = new String(KEYS).indexOf(Character.toUpperCase(c));
      if (index < 0) {
        throw new IllegalArgumentException("not a DTMF key: " + c);
      }
      double low = TWO_PI * ROW_HZ[index / 4] / sampleRate;
      double high = TWO_PI * COL_HZ[index % 4] / sampleRate;
      for (int i = 0; i < tone; i++) {
        int s = (int) Math.round(TONE_AMPLITUDE * (Math.sin(low * i) + Math.sin(high * i)));
        out[pos++] = (byte) s;
        out[pos++] = (byte) (s >> 8);
      }
      pos += gap * 2;
    }
    return out;
  }

  private static byte[] dtmf(String arg, int sampleRate, String item) {
    String[] parts = arg.split("/");
    int toneMs = parts.length > 1 ? (int) millis(parts[1], item) : 100;
    int gapMs = parts.length > 2 ? (int) millis(parts[2], item) : 100;
    return dtmfTones(validDigits(parts[0], item), sampleRate, toneMs, gapMs);
  }

  private static String validDigits(String digits, String item) {
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("script item '" + item + "' has no digits");
    }
    for (char c : digits.toCharArray()) {
      if (new String(KEYS).indexOf(Character.toUpperCase(c)) < 0) {
        throw new IllegalArgumentException("script item '" + item + "': '" + c + "' is not a DTMF key");
      }
    }
    return digits.toUpperCase(Locale.ROOT);
  }

  private static byte[] noise(int samples, int sampleRate, Random random) {
    byte[] out = new byte[samples * 2];
    double lowPassed = 0;
    double alpha = 2 * Math.PI * 1500.0 / sampleRate; // one-pole low-pass near 1.5 kHz: voice-band energy
    alpha = alpha / (alpha + 1);
    for (int i = 0; i < samples; i++) {
      lowPassed += alpha * (random.nextGaussian() - lowPassed);
      double syllables = 0.55 + 0.45 * Math.sin(TWO_PI * 4.0 * i / sampleRate); // about 4 syllables a second
      int s = (int) Math.max(-32768, Math.min(32767, lowPassed * 9000 * syllables));
      out[2 * i] = (byte) s;
      out[2 * i + 1] = (byte) (s >> 8);
    }
    return out;
  }

  private static byte[] wav(Path path, int sampleRate) {
    try {
      WavFile wav = WavFile.open(path);
      if (wav.sampleRate() != sampleRate) {
        throw new IllegalArgumentException(path + " is " + wav.sampleRate() + " Hz; the stream is " + sampleRate
            + " Hz (use --rate " + wav.sampleRate() + ")");
      }
      short[] pcm = wav.readAll();
      byte[] out = new byte[pcm.length * 2];
      for (int i = 0; i < pcm.length; i++) {
        out[2 * i] = (byte) pcm[i];
        out[2 * i + 1] = (byte) (pcm[i] >> 8);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage());
    }
  }

  private static int samples(long ms, int sampleRate) {
    return (int) (ms * sampleRate / 1000);
  }

  private static long millis(String value, String item) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Long.parseLong(v.substring(0, v.length() - 2));
      }
      if (v.endsWith("s")) {
        return Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000);
      }
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("script item '" + item + "': '" + value + "' is not a duration");
    }
  }
}
