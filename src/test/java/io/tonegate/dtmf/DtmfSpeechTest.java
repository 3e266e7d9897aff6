package io.tonegate.dtmf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Talk-off (speech must never produce a digit) and talk-down (digits pressed while someone talks are still heard) on
 * speech synthesised by espeak-ng: see {@link SpeechCorpus}. Needs the {@code espeak-ng} Debian package; set
 * {@code -Dtonegate.speechTests=skip} to skip on a machine without it.
 */
@DisplayName("DTMF receiver on speech")
class DtmfSpeechTest {

  private static final long SEED = 1;
  /** At least two hours of speech for talk-off, at each rate. */
  private static final double TALK_OFF_SECONDS = 2 * 3600;
  private static final double TALK_DOWN_SECONDS = 600;

  private static List<SpeechCorpus.Chunk> corpus;

  @BeforeAll
  static void synthesiseSpeech() {
    Assumptions.assumeFalse("skip".equals(System.getProperty("tonegate.speechTests")),
        "speech tests skipped by -Dtonegate.speechTests=skip");
    if (!SpeechCorpus.espeakAvailable()) {
      fail("espeak-ng is not installed: the talk-off tests synthesise their speech with it "
          + "(apt-get install espeak-ng), or skip them with -Dtonegate.speechTests=skip");
    }
    corpus = SpeechCorpus.ensure(SEED, TALK_OFF_SECONDS);
  }

  private static short[] pcm(float[] x) {
    short[] out = new short[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(x[i])));
    }
    return out;
  }

  @Test
  @DisplayName("finds no digit in two hours of speech in 20 languages and 60 voices, at 8, 16 and 24 kHz")
  void noTalkOff() throws Exception {
    int[] rates = {8000, 16000, 24000};
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int rate : rates) {
        results.add(pool.submit(() -> talkOff(rate)));
      }
      for (Future<String> r : results) {
        assertThat(r.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Feeds the whole corpus as one stream, each chunk 6 dB either side of -15 dBm0; returns the false digits. */
  private static String talkOff(int rate) {
    Random gains = new Random(rate);
    StringBuilder falseDigits = new StringBuilder();
    List<DtmfDigit> digits = new ArrayList<>();
    DtmfReceiver receiver = new DtmfReceiver(rate, digits::add);
    double seconds = 0;
    for (SpeechCorpus.Chunk c : corpus) {
      short[] speech = pcm(SpeechCorpus.load(c, rate, 12 * gains.nextDouble() - 6));
      int before = digits.size();
      receiver.feed(speech, 0, speech.length);
      for (int i = before; i < digits.size(); i++) {
        falseDigits.append(rate).append(" Hz: ").append(digits.get(i)).append(" in ").append(c.describe()).append('\n');
      }
      seconds += (double) speech.length / rate;
    }
    receiver.finish();
    assertThat(seconds).as("speech at %d Hz", rate).isGreaterThanOrEqualTo(TALK_OFF_SECONDS);
    return falseDigits.toString();
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("hears digits pressed while someone talks at -15 dBm0, and never a wrong one")
  void talkDown(int rate) {
    List<float[]> speech = new ArrayList<>();
    double seconds = 0;
    for (SpeechCorpus.Chunk c : corpus) {
      if (seconds >= TALK_DOWN_SECONDS) {
        break;
      }
      float[] x = SpeechCorpus.load(c, rate, 0);
      speech.add(x);
      seconds += (double) x.length / rate;
    }
    // Digits of 50-100 ms every 0.35-0.8 s over continuous speech (a harder case than a real caller, who
    // rarely talks through every key press). Levels are per tone; typical telephones send about -6 dBm0.
    double[][] levelAndRate = {{-3, 0.99}, {-6, 0.93}, {-9, 0.84}, {-12, 0.72}};
    for (double[] lr : levelAndRate) {
      Random r = new Random(rate + (long) lr[0]);
      int placed = 0;
      int heard = 0;
      List<String> wrong = new ArrayList<>();
      for (float[] x : speech) {
        Signal tones = new Signal(rate, r.nextLong());
        while (tones.length() < x.length - rate) {
          tones.silence(250 + r.nextInt(400));
          tones.digit(Signal.KEYS.charAt(r.nextInt(16)), 50 + r.nextInt(50), lr[0]);
        }
        tones.silence((double) (x.length - tones.length()) * 1000 / rate);
        tones.mix(x, 0, x.length, 0, 1);
        List<DtmfDigit> digits = Decode.digits(tones.pcm(), rate, r);
        placed += tones.placed().size();
        for (DtmfDigit d : digits) {
          boolean match = tones.placed().stream().anyMatch(p -> p.key() == d.key()
              && d.startSample() < p.endSample() && d.endSample() > p.startSample());
          if (match) {
            heard++;
          } else {
            wrong.add(d.toString());
          }
        }
      }
      assertThat(wrong).as("digits at %.0f dBm0 that were not pressed", lr[0]).isEmpty();
      assertThat((double) heard / placed).as("share of %d digits heard at %.0f dBm0", placed, lr[0])
          .isGreaterThanOrEqualTo(lr[1]);
    }
  }
}
