package io.tonegate.media;

import io.tonegate.simulator.AcsMediaClient;
import io.tonegate.simulator.AcsMessages;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.CallSimulator;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestJwks;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tonegate.media.MediaTestSupport.ACS_ISS;
import static io.tonegate.media.MediaTestSupport.AUD;
import static io.tonegate.media.MediaTestSupport.closeCode;
import static io.tonegate.media.MediaTestSupport.connect;
import static io.tonegate.media.MediaTestSupport.counter;
import static io.tonegate.media.MediaTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("/ws/media: real ACS-like WebSocket clients against the real gateway")
class MediaWebSocketTest {

  private static Vertx vertx;
  private static TestJwks jwks;
  private static TestGateway gateway;
  private static final TestJwks.Key ACS_KEY = TestJwks.rsaKey("acs-key-1");
  private static final MediaTestSupport.Recorder RECORDER = new MediaTestSupport.Recorder();
  private static AcsMediaClient bystander;
  private static int bystanderFrames;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    jwks = TestJwks.start(vertx).publish(ACS_KEY);
    gateway = TestGateway.start(new JsonObject().put("caller", new JsonObject().put("enabled", false)) // media alone
        .put("media", new JsonObject()
        .put("acs", new JsonObject().put("jwksUrl", jwks.url()).put("audiences", new JsonArray().add(AUD)))
        .put("limits", new JsonObject().put("idleTimeout", "1s"))));
    MediaTestSupport.media(gateway).addObserverFactory(RECORDER);
    // a call that stays open through every other test: misbehaving calls must not disturb it
    bystander = connect(vertx, gateway, "bystander", acsToken());
    bystander.sendMetadata(AudioFormat.PCM_16K);
    keepBystanderAlive();
  }

  private static void keepBystanderAlive() {
    vertx.setPeriodic(200, id -> {
      if (bystander.closed().isComplete()) {
        vertx.cancelTimer(id);
        return;
      }
      bystander.sendAudio(new byte[640], 0, 640, true);
      bystanderFrames++;
    });
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      assertThat(bystander.closed().isComplete()).as("the bystander call survived every other test").isFalse();
      bystander.close(1000, "done");
      assertThat(closeCode(bystander)).isEqualTo(1000);
    } finally {
      gateway.close();
      jwks.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  static String acsToken() {
    return ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD));
  }

  private static CallSimulator.Report simulate(String prefix, int calls, AudioFormat format, String script)
      throws Exception {
    CallSimulator simulator = new CallSimulator(vertx, gateway.webSocketOptions());
    return simulator.run(new CallSimulator.Options(MediaTestSupport.mediaUrl(gateway), calls, format,
        AudioScript.parse(script, format.sampleRate()), id -> acsToken(), true, 300, prefix, null))
        .await(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("16 kHz: an ACS call streams, its DTMF digits are detected in-band end to end, and it closes normally")
  void happyPath16k() throws Exception {
    double framesBefore = counter(gateway, "tonegate.media.frames.received");
    CallSimulator.Report report = simulate("c16", 1, AudioFormat.PCM_16K, "silence:200ms,dtmf:1593#,noise:300ms");
    assertThat(report.outcomes()).containsEntry("closed 1000", 1);
    eventually(() -> RECORDER.closed("c16-1"));
    assertThat(RECORDER.events).contains("c16-1 start 16000", "c16-1 close 1000 peer_closed");
    assertThat(RECORDER.digitsOf("c16-1")).extracting(DigitEvent::digit).containsExactly('1', '5', '9', '3', '#');
    assertThat(RECORDER.digitsOf("c16-1")).allMatch(d -> d.source() == DigitSource.IN_BAND);
    DigitEvent first = RECORDER.digitsOf("c16-1").get(0);
    assertThat(first.streamMs()).isBetween(195L, 215L); // the tone starts 200 ms into the stream
    assertThat(counter(gateway, "tonegate.media.frames.received") - framesBefore)
        .isGreaterThanOrEqualTo(report.framesSent());
  }

  @Test
  @DisplayName("24 kHz: several concurrent calls stream and each gets its own digits")
  void happyPath24k() throws Exception {
    CallSimulator.Report report = simulate("c24", 3, AudioFormat.PCM_24K, "silence:100ms,dtmf:*0D,silence:200ms");
    assertThat(report.outcomes()).containsEntry("closed 1000", 3);
    for (int i = 1; i <= 3; i++) {
      String id = "c24-" + i;
      eventually(() -> RECORDER.closed(id));
      assertThat(RECORDER.events).contains(id + " start 24000");
      assertThat(RECORDER.digitsOf(id)).extracting(DigitEvent::digit).containsExactly('*', '0', 'D');
    }
  }

  @Test
  @DisplayName("a press seen in-band and in DtmfData is reported once; a callback of it later is dropped too")
  void digitMerge() throws Exception {
    AcsMediaClient client = connect(vertx, gateway, "merge", acsToken());
    client.sendMetadata(AudioFormat.PCM_16K);
    client.sendDtmf('7');
    byte[] tone = AudioScript.dtmfTones("7", 16_000, 100, 100);
    for (int off = 0; off < tone.length; off += 640) {
      client.sendAudio(tone, off, 640, false);
    }
    eventually(() -> counter(gateway, "tonegate.media.digits.duplicates", "source", "in_band") >= 1);
    MediaSession session = MediaTestSupport.media(gateway).findSession("merge").orElseThrow();
    session.offerDigit('7', DigitSource.CALLBACK);
    session.offerDigit('8', DigitSource.CALLBACK);
    eventually(() -> RECORDER.digitsOf("merge").size() >= 2);
    client.close(1000, "done");
    eventually(() -> RECORDER.closed("merge"));
    assertThat(RECORDER.digitsOf("merge")).extracting(DigitEvent::digit, DigitEvent::source)
        .containsExactly(org.assertj.core.groups.Tuple.tuple('7', DigitSource.DTMF_DATA),
            org.assertj.core.groups.Tuple.tuple('8', DigitSource.CALLBACK));
  }

  @Test
  @DisplayName("outbound prompts are the Java SDK's exact AudioData JSON in 20 ms chunks, and StopAudio is exact too")
  void outbound() throws Exception {
    AcsMediaClient client = connect(vertx, gateway, "prompt", acsToken());
    client.sendMetadata(AudioFormat.PCM_16K);
    eventually(() -> RECORDER.events.contains("prompt start 16000"));
    MediaSession session = MediaTestSupport.media(gateway).findSession("prompt").orElseThrow();
    byte[] pcm = new byte[1600]; // 50 ms: two full 20 ms chunks and a 10 ms rest
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (byte) i;
    }
    session.play(pcm);
    session.stopAudio();
    eventually(() -> client.received().size() >= 4);
    List<String> received = client.received();
    String b64 = Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(pcm, 0, 640));
    assertThat(received.get(0)).isEqualTo("{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"" + b64
        + "\",\"timestamp\":null,\"participant\":null,\"isSilent\":false},\"stopAudio\":null}");
    assertThat(new JsonObject(received.get(2)).getJsonObject("audioData").getString("data"))
        .isEqualTo(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(pcm, 1280, 1600)));
    assertThat(received.get(3)).isEqualTo("{\"kind\":\"StopAudio\",\"stopAudio\":{}}");
    client.close(1000, "done");
  }

  @Test
  @DisplayName("a peer that stops reading: the outbound queue drops the oldest prompt frames and counts them, without blocking")
  void outboundQueueBound() throws Exception {
    try (RawWebSocket peer = RawWebSocket.open(gateway.port(), gateway.certPath(), "flood", acsToken())) {
      peer.sendText(AcsMessages.audioMetadata("s", AudioFormat.PCM_16K)); // and then never reads
      eventually(() -> RECORDER.events.contains("flood start 16000"));
      MediaSession session = MediaTestSupport.media(gateway).findSession("flood").orElseThrow();
      double dropped = counter(gateway, "tonegate.media.outbound.dropped");
      for (int i = 0; i < 300; i++) {
        session.play(new byte[640 * 100]); // 2 s of audio each, 10 min in all (~27 MB): more than socket buffers
      }
      eventually(() -> counter(gateway, "tonegate.media.outbound.dropped") - dropped > 0);
      // the event loop is not blocked: the bystander on the same gateway keeps streaming
      int framesNow = bystanderFrames;
      eventually(() -> bystanderFrames > framesNow + 2);
      session.close(1000, "closed_by_app");
    }
    eventually(() -> RECORDER.closed("flood"));
  }

  private void assertClosedWith(String callId, int code, String metricKind, java.util.function.Consumer<AcsMediaClient> send)
      throws Exception {
    double before = counter(gateway, "tonegate.media.parse.errors", "kind", metricKind);
    AcsMediaClient client = connect(vertx, gateway, callId, acsToken());
    send.accept(client);
    assertThat(closeCode(client)).isEqualTo(code);
    assertThat(counter(gateway, "tonegate.media.parse.errors", "kind", metricKind) - before).isEqualTo(1);
    eventually(() -> counter(gateway, "tonegate.media.streams.closed", "reason", metricKind) >= 1);
  }

  @Test
  @DisplayName("a message over maxMessageBytes closes with 1009")
  void oversize() throws Exception {
    assertClosedWith("big", 1009, "oversize", c -> {
      c.sendMetadata(AudioFormat.PCM_16K);
      c.sendText("{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"" + "A".repeat(40_000) + "\"}}");
    });
  }

  @Test
  @DisplayName("malformed JSON closes with 1007")
  void malformedJson() throws Exception {
    assertClosedWith("badjson", 1007, "json", c -> c.sendText("{\"kind\":\"AudioMetadata\",\"audioMetadata\":{"));
  }

  @Test
  @DisplayName("invalid base64 in AudioData closes with 1007")
  void badBase64() throws Exception {
    assertClosedWith("badb64", 1007, "base64", c -> {
      c.sendMetadata(AudioFormat.PCM_16K);
      c.sendText("{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"!!!not base64!!!\",\"silent\":false}}");
    });
  }

  @Test
  @DisplayName("AudioData whose length differs from AudioMetadata closes with 1007")
  void frameLength() throws Exception {
    assertClosedWith("badlen", 1007, "frame_length", c -> {
      c.sendMetadata(AudioFormat.PCM_16K);
      c.sendAudio(new byte[960], 0, 960, false);
    });
  }

  @Test
  @DisplayName("AudioData before AudioMetadata closes with 1008")
  void audioBeforeMetadata() throws Exception {
    assertClosedWith("early", 1008, "protocol", c -> c.sendAudio(new byte[640], 0, 640, false));
  }

  @Test
  @DisplayName("an unsupported AudioMetadata (8 channels) closes with 1003")
  void unsupportedMetadata() throws Exception {
    assertClosedWith("stereo", 1003, "metadata", c -> c.sendText(AcsMessages.audioMetadata("s",
        new AudioFormat("PCM", 16_000, 8, 640))));
  }

  @Test
  @DisplayName("a binary frame closes with 1003")
  void binaryFrame() throws Exception {
    assertClosedWith("binary", 1003, "binary", c -> c.socket().writeBinaryMessage(Buffer.buffer(new byte[10])));
  }

  @Test
  @DisplayName("unknown kinds are ignored and counted; the stream goes on")
  void unknownKind() throws Exception {
    double before = counter(gateway, "tonegate.media.messages.unknown");
    AcsMediaClient client = connect(vertx, gateway, "unknown", acsToken());
    client.sendMetadata(AudioFormat.PCM_16K);
    client.sendText("{\"kind\":\"TranscriptionData\",\"transcriptionData\":{\"text\":\"hi\"}}");
    client.sendText("{\"Kind\":\"DtmfMetadata\",\"DtmfMetadata\":{}}");
    client.sendText("{\"kind\":\"audioData\",\"AudioData\":{\"Data\":\"" + Base64.getEncoder().encodeToString(new byte[640])
        + "\",\"Silent\":true}}"); // case-insensitive: a valid frame
    eventually(() -> counter(gateway, "tonegate.media.messages.unknown") - before >= 2);
    client.close(1000, "done");
    assertThat(closeCode(client)).isEqualTo(1000);
    assertThat(counter(gateway, "tonegate.media.messages.unknown") - before).isEqualTo(2);
  }

  @Test
  @DisplayName("a stream silent for longer than idleTimeout is closed with 1001")
  void idle() throws Exception {
    double before = counter(gateway, "tonegate.media.streams.closed", "reason", "idle_timeout");
    AcsMediaClient client = connect(vertx, gateway, "idle", acsToken());
    client.sendMetadata(AudioFormat.PCM_16K);
    assertThat(closeCode(client)).isEqualTo(1001);
    eventually(() -> counter(gateway, "tonegate.media.streams.closed", "reason", "idle_timeout") - before == 1);
  }
}
