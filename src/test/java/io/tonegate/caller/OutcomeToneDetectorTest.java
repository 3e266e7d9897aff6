package io.tonegate.caller;

import io.tonegate.audio.ToneGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeToneDetectorTest {

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("each outcome sequence is recognised once, as itself, when fed in odd-sized slices with noise")
  void recognisesEachOutcomeOnce(int rate) {
    for (OutcomeTone tone : OutcomeTone.values()) {
      List<String> events = new ArrayList<>();
      OutcomeToneDetector detector = new OutcomeToneDetector(rate, (t, edge) -> events.add(t + " " + edge));
      byte[] pcm = withNoise(concat(new ToneGenerator(rate).silence(90).toPcm(), tone.pcm(rate),
          new ToneGenerator(rate).silence(300).toPcm()), rate);
      for (int i = 0; i < pcm.length; i += 333) {
        detector.feed(java.util.Arrays.copyOfRange(pcm, i, Math.min(pcm.length, i + 333)));
      }
      assertThat(events).as(tone.name()).containsExactly(tone + " START", tone + " END");
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {16000, 24000})
  @DisplayName("DTMF digits and silence are not taken for outcome tones")
  void ignoresDtmf(int rate) {
    List<String> events = new ArrayList<>();
    OutcomeToneDetector detector = new OutcomeToneDetector(rate, (t, edge) -> events.add(t + " " + edge));
    ToneGenerator generator = new ToneGenerator(rate);
    for (char key : "0123456789*#ABCD".toCharArray()) {
      generator.dtmf(key, 200, -5).silence(100);
    }
    detector.feed(generator.toPcm());
    detector.silence(1000);
    assertThat(events).isEmpty();
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {16000})
  @DisplayName("two sequences in a row are reported as two")
  void twoInARow(int rate) {
    List<String> events = new ArrayList<>();
    OutcomeToneDetector detector = new OutcomeToneDetector(rate, (t, edge) -> events.add(t + " " + edge));
    detector.feed(OutcomeTone.TRY_AGAIN.pcm(rate));
    detector.silence(400);
    detector.feed(OutcomeTone.ACCEPTED.pcm(rate));
    detector.silence(400);
    assertThat(events).containsExactly("TRY_AGAIN START", "TRY_AGAIN END", "ACCEPTED START", "ACCEPTED END");
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Adds white noise at about -45 dBm0. */
  private static byte[] withNoise(byte[] pcm, int rate) {
    Random random = new Random(rate);
    double sigma = ToneGenerator.amplitude(-45) / Math.sqrt(2);
    byte[] out = pcm.clone();
    for (int i = 0; i < out.length / 2; i++) {
      double v = io.tonegate.audio.Pcm16.sample(pcm, i) + random.nextGaussian() * sigma;
      io.tonegate.audio.Pcm16.put(out, i, v);
    }
    return out;
  }
}
