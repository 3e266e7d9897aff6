package io.tonegate.media;

import io.tonegate.dtmf.DtmfReceiver;
import io.tonegate.simulator.AcsMessages;
import io.tonegate.simulator.AudioScript;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-frame work of a media stream on its event loop: one ACS AudioData message (as UTF-8 bytes, the way the
 * WebSocket frame arrives) parsed by {@link MediaMessageParser}, which decodes the base64 PCM in the same pass into
 * a reused buffer ({@code parseDecode}), plus the DTMF receiver ({@code parseDecodeDtmf}). {@code jsonObjectBaseline}
 * is the obvious alternative (Vert.x {@code JsonObject} tree + {@code java.util.Base64}) for comparison.
 *
 * <p>Messages: 50 distinct 20 ms frames of speech-like noise, exactly as the simulator (and ACS) writes them,
 * cycled. Score = ns per frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MediaFrameBenchmark {

  @Param({"16000", "24000"})
  public int rate;

  private byte[][] messages;
  private String[] messageStrings;
  private int next;
  private final MediaMessageParser parser = new MediaMessageParser();
  private DtmfReceiver receiver;

  @Setup
  public void setUp() {
    AudioFormat format = AudioFormat.pcm(rate);
    byte[] audio = AudioScript.parse("noise:1s", rate).steps().get(0).pcm();
    messages = new byte[50][];
    messageStrings = new String[50];
    for (int i = 0; i < 50; i++) {
      String json = AcsMessages.audioData(audio, i * format.frameBytes(), format.frameBytes(),
          Instant.parse("2024-11-15T19:16:12.925Z").plusMillis(20L * i), "8:acs:3d20e1de-0f28-41c5_0000001", false);
      messageStrings[i] = json;
      messages[i] = json.getBytes(StandardCharsets.UTF_8);
    }
    receiver = new DtmfReceiver(rate, digit -> { });
  }

  @Benchmark
  public int parseDecode() {
    byte[] message = messages[next];
    next = next == 49 ? 0 : next + 1;
    return parser.parse(message, message.length).pcmLength();
  }

  @Benchmark
  public int parseDecodeDtmf() {
    byte[] message = messages[next];
    next = next == 49 ? 0 : next + 1;
    int n = parser.parse(message, message.length).pcmLength();
    receiver.feed(parser.pcm(), 0, n);
    return n;
  }

  @Benchmark
  public int jsonObjectBaseline() {
    String message = messageStrings[next];
    next = next == 49 ? 0 : next + 1;
    JsonObject json = new JsonObject(message);
    return Base64.getDecoder().decode(json.getJsonObject("audioData").getString("data")).length;
  }
}
