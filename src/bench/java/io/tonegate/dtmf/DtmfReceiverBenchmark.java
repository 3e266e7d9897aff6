package io.tonegate.dtmf;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of the DTMF receiver per 20 ms frame, fed as ACS sends it (16-bit little-endian bytes), single thread.
 * Multiply the time per operation by 50 for the CPU time per second of audio.
 *
 * <p>Signals (10 s, looped): {@code keys} is the worst case: digits of 60 ms every 100 ms (at -6 dBm0 per tone) over
 * a synthetic voice (a harmonic series with a wandering pitch and syllable envelope) at -15 dBm0, so that every
 * window is loud and many pass to the expensive checks; {@code voice} is the voice alone; {@code silence} is line
 * noise at -60 dBm0 (most of a real call), where the receiver skips the filters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DtmfReceiverBenchmark {

  @Param({"8000", "16000", "24000"})
  int rate;

  @Param({"keys", "voice", "silence"})
  String signal;

  private byte[] audio;
  private int frameBytes;
  private int offset;
  private DtmfReceiver receiver;
  private Blackhole blackhole;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    blackhole = bh;
    frameBytes = rate / 50 * 2;
    short[] pcm = synthesise(rate, signal, 10);
    audio = new byte[pcm.length * 2];
    for (int i = 0; i < pcm.length; i++) {
      audio[2 * i] = (byte) pcm[i];
      audio[2 * i + 1] = (byte) (pcm[i] >> 8);
    }
    receiver = new DtmfReceiver(rate, this::onDigit);
  }

  private void onDigit(DtmfDigit digit) {
    blackhole.consume(digit);
  }

  @Benchmark
  public void frame() {
    receiver.feed(audio, offset, frameBytes);
    offset += frameBytes;
    if (offset == audio.length) {
      offset = 0;
    }
  }

  static short[] synthesise(int rate, String kind, int seconds) {
    Random r = new Random(42);
    int n = rate * seconds;
    double[] x = new double[n];
    double a0 = 32768 * Math.pow(10, -3.14 / 20);
    if (!kind.equals("silence")) {
      // Voice: 20 harmonics of a pitch wandering 90-250 Hz, formant-like weights, 4 syllables per second.
      double phase = 0;
      double pitch = 150;
      for (int i = 0; i < n; i++) {
        pitch += (r.nextDouble() - 0.5) * 0.5;
        pitch = Math.max(90, Math.min(250, pitch));
        phase += 2 * Math.PI * pitch / rate;
        double v = 0;
        for (int h = 1; h <= 20; h++) {
          double f = h * pitch;
          double w = Math.exp(-Math.pow((f - 600) / 300, 2)) + 0.5 * Math.exp(-Math.pow((f - 1500) / 400, 2));
          v += w * Math.sin(h * phase);
        }
        double envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * i / rate);
        x[i] = v * envelope;
      }
      double rms = Math.sqrt(java.util.Arrays.stream(x).map(v -> v * v).average().orElse(1));
      double g = a0 * Math.pow(10, -15 / 20.0) / Math.sqrt(2) / rms;
      for (int i = 0; i < n; i++) {
        x[i] *= g;
      }
    }
    if (kind.equals("keys")) {
      double[] rows = {697, 770, 852, 941};
      double[] cols = {1209, 1336, 1477, 1633};
      double a = a0 * Math.pow(10, -6 / 20.0);
      for (int start = 0, k = 0; start + rate * 60 / 1000 < n; start += rate / 10, k++) {
        double fr = rows[k % 4];
        double fc = cols[(k / 4) % 4];
        for (int i = 0; i < rate * 60 / 1000; i++) {
          x[start + i] += a * (Math.sin(2 * Math.PI * fr * i / rate) + Math.sin(2 * Math.PI * fc * i / rate));
        }
      }
    }
    double noise = a0 * Math.pow(10, -60 / 20.0) / Math.sqrt(2);
    short[] pcm = new short[n];
    for (int i = 0; i < n; i++) {
      pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(x[i] + noise * r.nextGaussian())));
    }
    return pcm;
  }
}
