package io.tonegate.dtmf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ITU-T Q.24 receiver rules at 8, 16 and 24 kHz. Every case uses random phases, a random start offset (so tones fall
 * anywhere relative to the receiver's 5 ms blocks) and random slice lengths, all from fixed seeds.
 */
@DisplayName("DTMF receiver conformance (Q.24)")
class DtmfConformanceTest {

  private static final String KEYS = Signal.KEYS;

  /** Builds a signal around {@code body}: random lead-in silence, then the body, then 80 ms of silence. */
  private static List<DtmfDigit> decode(int rate, long seed, Consumer<Signal> body) {
    Signal s = signal(rate, seed, body);
    return Decode.digits(s.pcm(), rate, new Random(seed ^ 0x5eed));
  }

  private static Signal signal(int rate, long seed, Consumer<Signal> body) {
    Signal s = new Signal(rate, seed);
    s.silence(10 + s.random().nextDouble() * 20);
    body.accept(s);
    s.silence(80);
    return s;
  }

  /** Accept limit of Q.24 for a frequency: ±(1.5% + 2 Hz), as a relative offset. */
  private static double acceptOffset(double hz) {
    return 0.015 + 2 / hz;
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("decodes all sixteen keys with their start, end and level")
  void decodesAllKeys(int rate) {
    for (int i = 0; i < KEYS.length(); i++) {
      char key = KEYS.charAt(i);
      Signal s = signal(rate, i, sig -> sig.digit(key, 60 + sig.random().nextInt(60), -12));
      List<DtmfDigit> digits = Decode.digits(s.pcm(), rate, new Random(i));
      assertThat(digits).as("key %s", key).hasSize(1);
      DtmfDigit d = digits.get(0);
      Signal.Placed p = s.placed().get(0);
      assertThat(d.key()).isEqualTo(key);
      assertThat(d.sampleRate()).isEqualTo(rate);
      assertThat(Math.abs(d.startSample() - p.startSample()) * 1000.0 / rate).as("start error ms").isLessThan(1.5);
      assertThat(Math.abs(d.endSample() - p.endSample()) * 1000.0 / rate).as("end error ms").isLessThan(2.0);
      assertThat(d.lowDbm0()).isBetween(-12.6f, -11.4f);
      assertThat(d.highDbm0()).isBetween(-12.6f, -11.4f);
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("accepts each tone anywhere within ±(1.5% + 2 Hz) of nominal, for every key")
  void acceptsFrequencyTolerance(int rate) {
    Random r = new Random(rate);
    for (int i = 0; i < KEYS.length(); i++) {
      char key = KEYS.charAt(i);
      double lowMax = acceptOffset(Signal.rowHz(key));
      double highMax = acceptOffset(Signal.colHz(key));
      double[][] offsets = {
        {lowMax, 0}, {-lowMax, 0}, {0, highMax}, {0, -highMax},
        {lowMax, highMax}, {-lowMax, -highMax}, {lowMax, -highMax}, {-lowMax, highMax},
        {(2 * r.nextDouble() - 1) * lowMax, (2 * r.nextDouble() - 1) * highMax}};
      for (double[] o : offsets) {
        List<DtmfDigit> d = decode(rate, r.nextLong(), s -> s.digit(key, 45, -10, -10, o[0], o[1]));
        assertThat(Decode.keys(d)).as("key %s offsets %.4f/%.4f", key, o[0], o[1]).isEqualTo(String.valueOf(key));
      }
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("rejects a tone 3.5% or more off nominal, on either side, in either group")
  void rejectsFrequencyBeyondTolerance(int rate) {
    Random r = new Random(rate + 1);
    double[] offsets = {0.035, 0.04, 0.05, 0.07, 0.1};
    for (int i = 0; i < KEYS.length(); i++) {
      char key = KEYS.charAt(i);
      for (double off : offsets) {
        for (int sign = -1; sign <= 1; sign += 2) {
          double o = sign * off;
          for (int level : new int[] {0, -10, -25}) {
            List<DtmfDigit> low = decode(rate, r.nextLong(), s -> s.digit(key, 80, level, level, o, 0));
            assertThat(Decode.keys(low)).as("key %s low tone off by %.3f at %d dBm0", key, o, level)
              .isIn(allowed(Signal.rowHz(key) * (1 + o), Signal.colHz(key)));
            List<DtmfDigit> high = decode(rate, r.nextLong(), s -> s.digit(key, 80, level, level, 0, o));
            assertThat(Decode.keys(high)).as("key %s high tone off by %.3f at %d dBm0", key, o, level)
              .isIn(allowed(Signal.rowHz(key), Signal.colHz(key) * (1 + o)));
          }
        }
      }
    }
  }

  /**
   * What Q.24 allows for a tone pair: nothing if a tone is 3.5% or more from every DTMF frequency of its group,
   * exactly the key if both are within ±(1.5% + 2 Hz) of a key's frequencies, either in between. (An offset can
   * land a tone on the neighbouring frequency: 697 Hz + 10% is 770 Hz - 0.4%.)
   */
  private static List<String> allowed(double lowHz, double highHz) {
    int row = nearest(DtmfReceiver.ROW_HZ, lowHz);
    int col = nearest(DtmfReceiver.COL_HZ, highHz);
    double lowOff = Math.abs(lowHz - DtmfReceiver.ROW_HZ[row]) / DtmfReceiver.ROW_HZ[row];
    double highOff = Math.abs(highHz - DtmfReceiver.COL_HZ[col]) / DtmfReceiver.COL_HZ[col];
    String key = String.valueOf(KEYS.charAt(row * 4 + col));
    if (lowOff >= 0.035 || highOff >= 0.035) {
      return List.of("");
    }
    if (lowOff <= acceptOffset(DtmfReceiver.ROW_HZ[row]) && highOff <= acceptOffset(DtmfReceiver.COL_HZ[col])) {
      return List.of(key);
    }
    return List.of("", key);
  }

  private static int nearest(float[] nominal, double hz) {
    int best = 0;
    for (int i = 1; i < nominal.length; i++) {
      if (Math.abs(nominal[i] - hz) < Math.abs(nominal[best] - hz)) {
        best = i;
      }
    }
    return best;
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("accepts tones of 40 ms and longer, rejects tones of 20 ms and shorter")
  void appliesDurationRules(int rate) {
    Random r = new Random(rate + 2);
    for (int trial = 0; trial < 48; trial++) {
      char key = KEYS.charAt(trial % 16);
      double level = -25 * r.nextDouble();
      for (double ms : new double[] {40, 41.5, 50, 200}) {
        assertThat(Decode.keys(decode(rate, r.nextLong(), s -> s.digit(key, ms, level))))
          .as("%s for %.1f ms at %.1f dBm0", key, ms, level).isEqualTo(String.valueOf(key));
      }
      for (double ms : new double[] {5, 10, 15, 19.5, 20}) {
        assertThat(decode(rate, r.nextLong(), s -> s.digit(key, ms, level)))
          .as("%s for %.1f ms at %.1f dBm0", key, ms, level).isEmpty();
      }
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("bridges dropouts of up to 10 ms inside a digit: one digit, not two")
  void bridgesShortDropouts(int rate) {
    Random r = new Random(rate + 3);
    for (int trial = 0; trial < 64; trial++) {
      char key = KEYS.charAt(trial % 16);
      double gap = 1 + 9 * r.nextDouble();
      if (trial % 8 == 0) {
        gap = 10;
      }
      double g = gap;
      Signal s = signal(rate, r.nextLong(), sig -> {
        sig.digit(key, 40 + sig.random().nextInt(40), -15);
        sig.silence(g);
        sig.digit(key, 40 + sig.random().nextInt(40), -15);
      });
      List<DtmfDigit> d = Decode.digits(s.pcm(), rate, new Random(trial));
      assertThat(Decode.keys(d)).as("%s with a %.1f ms dropout", key, gap).isEqualTo(String.valueOf(key));
      double startError = (d.get(0).startSample() - s.placed().get(0).startSample()) * 1000.0 / rate;
      double endError = (d.get(0).endSample() - s.placed().get(1).endSample()) * 1000.0 / rate;
      assertThat(Math.abs(startError)).as("start error ms").isLessThan(1.5);
      assertThat(Math.abs(endError)).as("end error ms").isLessThan(2.0);
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("separates the same key pressed twice with a pause of 40 ms or more")
  void separatesRepeatedDigits(int rate) {
    Random r = new Random(rate + 4);
    for (int trial = 0; trial < 64; trial++) {
      char key = KEYS.charAt(trial % 16);
      double pause = trial % 4 == 0 ? 40 : 40 + 40 * r.nextDouble();
      double level = -25 * r.nextDouble();
      List<DtmfDigit> d = decode(rate, r.nextLong(), s -> {
        s.digit(key, 40, level);
        s.silence(pause);
        s.digit(key, 40, level);
      });
      assertThat(Decode.keys(d)).as("%s twice, %.1f ms apart at %.1f dBm0", key, pause, level)
        .isEqualTo("" + key + key);
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("accepts twist up to 6 dB with the high tone louder and 8 dB with the low tone louder")
  void acceptsTwist(int rate) {
    Random r = new Random(rate + 5);
    for (int i = 0; i < KEYS.length(); i++) {
      char key = KEYS.charAt(i);
      for (double twist : new double[] {6, 4, 2, 0, -2, -4, -6, -8}) { // positive: high group louder
        for (double louder : new double[] {0, -17}) {
          double low = louder - Math.max(0, twist);
          double high = louder + Math.min(0, twist);
          // Twist at the edges of the frequency tolerance too: the hardest corner.
          double lo = (r.nextBoolean() ? 1 : -1) * acceptOffset(Signal.rowHz(key));
          double ho = (r.nextBoolean() ? 1 : -1) * acceptOffset(Signal.colHz(key));
          List<DtmfDigit> d = decode(rate, r.nextLong(), s -> s.digit(key, 45, low, high, lo, ho));
          assertThat(Decode.keys(d)).as("%s at %.1f/%.1f dBm0", key, low, high).isEqualTo(String.valueOf(key));
          // At the frequency edges the louder tone's leakage is not fully cancelled: ±1.5 dB, not ±0.5.
          assertThat(d.get(0).twistDb()).isCloseTo(twist, org.assertj.core.data.Offset.offset(1.5));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("accepts per-tone levels from 0 to -30 dBm0 and rejects -55 dBm0")
  void appliesLevelRules(int rate) {
    Random r = new Random(rate + 6);
    for (int i = 0; i < KEYS.length(); i++) {
      char key = KEYS.charAt(i);
      // 0 dBm0 per tone peaks above 16-bit full scale: the generator clips, as a real codec would.
      for (int level = 0; level >= -30; level -= 3) {
        int l = level;
        List<DtmfDigit> d = decode(rate, r.nextLong(), s -> s.digit(key, 45, l));
        assertThat(Decode.keys(d)).as("%s at %d dBm0", key, level).isEqualTo(String.valueOf(key));
        if (level <= -3) {
          assertThat(d.get(0).levelDbm0()).isCloseTo(level + 3.01, org.assertj.core.data.Offset.offset(0.6));
        }
      }
      for (int level : new int[] {-45, -55, -65}) {
        assertThat(decode(rate, r.nextLong(), s -> s.digit(key, 200, level))).as("%s at %d dBm0", key, level)
          .isEmpty();
      }
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("decodes every digit of a sequence at 12 dB signal-to-noise ratio in white noise, and nothing else")
  void worksAtTwelveDbSnr(int rate) {
    Random r = new Random(rate + 7);
    for (double level : new double[] {-3, -10, -20, -25}) {
      // Noise 12 dB under each tone, measured in the 0-4 kHz band (white up to half the sample rate).
      Signal s = signal(rate, r.nextLong(), sig -> {
        for (int i = 0; i < 48; i++) {
          sig.digit(KEYS.charAt(sig.random().nextInt(16)), 40 + sig.random().nextInt(30), level);
          sig.silence(40 + sig.random().nextInt(30));
        }
      });
      s.noise(level - 12);
      List<DtmfDigit> d = Decode.digits(s.pcm(), rate, new Random(rate));
      StringBuilder expected = new StringBuilder();
      s.placed().forEach(p -> expected.append(p.key()));
      assertThat(Decode.keys(d)).as("at %.0f dBm0", level).isEqualTo(expected.toString());
      for (int i = 0; i < d.size(); i++) {
        assertThat(Math.abs(d.get(i).startSample() - s.placed().get(i).startSample()) * 1000.0 / rate)
          .as("start error ms").isLessThan(5);
      }
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("reports nothing for silence, noise, single tones, dial tone and tones of other frequencies")
  void ignoresNonDtmf(int rate) {
    Random r = new Random(rate + 8);
    assertThat(decode(rate, 1, s -> s.silence(2000))).isEmpty();
    assertThat(decode(rate, 2, s -> s.silence(5000).noise(-10))).isEmpty();
    assertThat(decode(rate, 3, s -> s.tones(350, -13, 440, -13, 2000))).as("dial tone").isEmpty();
    assertThat(decode(rate, 4, s -> s.tones(480, -10, 620, -10, 2000))).as("busy tone").isEmpty();
    assertThat(decode(rate, 5, s -> s.tones(1004, -10, 1004, Double.NaN, 2000))).as("test tone").isEmpty();
    for (float hz : DtmfReceiver.ROW_HZ) {
      assertThat(decode(rate, r.nextLong(), s -> s.tones(hz, -5, 0, Double.NaN, 500))).as("lone %s Hz", hz).isEmpty();
    }
    for (float hz : DtmfReceiver.COL_HZ) {
      assertThat(decode(rate, r.nextLong(), s -> s.tones(hz, -5, 0, Double.NaN, 500))).as("lone %s Hz", hz).isEmpty();
    }
    // Two tones of the same group are not a digit.
    assertThat(decode(rate, 6, s -> s.tones(697, -10, 852, -10, 500))).isEmpty();
    assertThat(decode(rate, 7, s -> s.tones(1209, -10, 1477, -10, 500))).isEmpty();
    // A third tone as loud as the digit's own tones breaks it.
    assertThat(decode(rate, 8, s -> s.digit('5', 500, -10).mix(tone(rate, 1800, -10, 500), 0,
      s.samples(500), s.length() - s.samples(500), 1))).isEmpty();
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("gives the same digits whatever the slicing, for short[] and little-endian byte[] input")
  void isIndependentOfSlicing(int rate) {
    Signal s = signal(rate, 9, sig -> {
      for (int i = 0; i < 16; i++) {
        sig.digit(KEYS.charAt(i), 40 + sig.random().nextInt(40), -5 - sig.random().nextInt(20));
        sig.silence(40 + sig.random().nextInt(40));
      }
    });
    short[] pcm = s.pcm();
    List<DtmfDigit> whole = new ArrayList<>();
    DtmfReceiver one = new DtmfReceiver(rate, whole::add);
    one.feed(pcm, 0, pcm.length);
    one.finish();
    assertThat(Decode.keys(whole)).isEqualTo(KEYS);

    byte[] le = new byte[2 * pcm.length];
    for (int i = 0; i < pcm.length; i++) {
      le[2 * i] = (byte) pcm[i];
      le[2 * i + 1] = (byte) (pcm[i] >> 8);
    }
    List<DtmfDigit> bytes = new ArrayList<>();
    DtmfReceiver b = new DtmfReceiver(rate, bytes::add);
    Random r = new Random(rate);
    for (int off = 0; off < le.length; ) {
      int n = Math.min(le.length - off, r.nextInt(3 * rate / 50)); // odd lengths and empty slices too
      b.feed(le, off, n);
      off += n;
    }
    b.finish();
    assertThat(bytes).isEqualTo(whole);

    List<DtmfDigit> singles = new ArrayList<>();
    DtmfReceiver one2 = new DtmfReceiver(rate, singles::add);
    for (int i = 0; i < pcm.length; i++) {
      one2.feed(pcm, i, 1);
    }
    one2.finish();
    assertThat(singles).isEqualTo(whole);
  }

  @Test
  @DisplayName("announces a digit once it is valid, before it ends, and ends a digit cut off by the end of the stream")
  void announcesAndFinishes() {
    List<String> events = new ArrayList<>();
    DtmfReceiver receiver = new DtmfReceiver(16000, new DtmfListener() {
      @Override
      public void onDigit(DtmfDigit digit) {
        events.add("end " + digit.key() + " " + Math.round(digit.startMs() / 10.0) * 10
          + " " + Math.round(digit.endMs() / 10.0) * 10);
      }

      @Override
      public void onDigitStarted(char key, long startSample) {
        events.add("start " + key + " " + Math.round(startSample / 160.0) * 10);
      }
    });
    Signal s = new Signal(16000, 1).silence(100).digit('#', 300, -10);
    short[] pcm = s.pcm();
    receiver.feed(pcm, 0, s.samples(200));
    assertThat(events).containsExactly("start # 100");
    receiver.feed(pcm, s.samples(200), pcm.length - s.samples(200));
    assertThat(receiver.samplesFed()).isEqualTo(pcm.length);
    receiver.finish();
    assertThat(events).containsExactly("start # 100", "end # 100 400");
    assertThat(receiver.samplesFed()).isZero();
  }

  @Test
  @DisplayName("refuses sample rates other than 8, 16 and 24 kHz with a clear message")
  void rejectsOtherRates() {
    for (int rate : new int[] {0, 11025, 22050, 44100, 48000, -8000}) {
      assertThatThrownBy(() -> new DtmfReceiver(rate, d -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(rate))
        .hasMessageContaining("8000, 16000 or 24000");
    }
  }

  private static float[] tone(int rate, double hz, double dbm0, double ms) {
    int n = (int) Math.round(ms * rate / 1000);
    float[] out = new float[n];
    double a = Signal.amplitude(dbm0);
    for (int i = 0; i < n; i++) {
      out[i] = (float) (a * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return out;
  }
}
