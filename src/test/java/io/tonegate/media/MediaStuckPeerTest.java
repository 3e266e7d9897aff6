package io.tonegate.media;

import io.micrometer.core.instrument.Gauge;
import io.tonegate.caller.OutcomeTone;
import io.tonegate.simulator.AcsMediaClient;
import io.tonegate.simulator.AcsMessages;
import io.tonegate.testing.LogCapture;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestJwks;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tonegate.media.MediaTestSupport.ACS_ISS;
import static io.tonegate.media.MediaTestSupport.AUD;
import static io.tonegate.media.MediaTestSupport.connect;
import static io.tonegate.media.MediaTestSupport.counter;
import static io.tonegate.media.MediaTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A media peer that keeps streaming (so no idle timeout saves us) but never reads what the gateway sends it, while
 * the gateway plays outcome tones into its call: the stream's outbound queue stays within
 * {@code media.outbound.maxQueuedFrames} (oldest frames dropped and counted), the event loop is not held, and a
 * bystander call on the same gateway gets every frame played to it. When the stuck peer also stops sending, the
 * media idle timeout closes the stream (its queue released at once) and http.idleTimeout the TCP connection.
 */
@DisplayName("a media peer that stops reading while outcome tones are played to it")
class MediaStuckPeerTest {

  private static final int MAX_QUEUED = 40;
  private static final TestJwks.Key ACS_KEY = TestJwks.rsaKey("acs-key-1");

  private static Vertx vertx;
  private static TestJwks jwks;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    jwks = TestJwks.start(vertx).publish(ACS_KEY);
    // http.idleTimeout 3s: what finally releases the TCP connection of a peer that reads nothing (see below)
    gateway = TestGateway.start(new JsonObject().put("caller", new JsonObject().put("enabled", false))
        .put("http", new JsonObject().put("idleTimeout", "3s"))
        .put("media", new JsonObject()
            .put("acs", new JsonObject().put("jwksUrl", jwks.url()).put("audiences", new JsonArray().add(AUD)))
            .put("limits", new JsonObject().put("idleTimeout", "2s"))
            .put("outbound", new JsonObject().put("maxQueuedFrames", MAX_QUEUED))));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    jwks.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static double queued() {
    Gauge gauge = gateway.gateway().context().registry().get("tonegate.media.outbound.queued").gauge();
    return gauge.value();
  }

  @Test
  @DisplayName("its queue stays bounded (drops counted), a bystander gets every frame, and the idle timeout releases it")
  void stuckPeer() throws Exception {
    String token = ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD));
    double droppedBefore = counter(gateway, "tonegate.media.outbound.dropped");
    double idleClosedBefore = counter(gateway, "tonegate.media.streams.closed", "reason", "idle_timeout");

    AcsMediaClient bystander = connect(vertx, gateway, "bystander-call", token);
    bystander.sendMetadata(AudioFormat.PCM_16K).await(10, TimeUnit.SECONDS);
    long bystanderTimer = vertx.setPeriodic(200, id -> bystander.sendAudio(new byte[640], 0, 640, true));
    try (RawWebSocket stuck = RawWebSocket.open(gateway.port(), gateway.certPath(), "stuck-call", token)) {
      stuck.sendText(AcsMessages.audioMetadata("s", AudioFormat.PCM_16K));
      // The stuck peer keeps streaming silence (20 ms frames), so only the outbound side is stuck.
      AtomicBoolean streaming = new AtomicBoolean(true);
      String silence = AcsMessages.audioData(new byte[640], 0, 640, java.time.Instant.now(), "", true);
      Thread sender = new Thread(() -> {
        while (streaming.get()) {
          try {
            stuck.sendText(silence);
            Thread.sleep(20);
          } catch (Exception e) {
            return;
          }
        }
      }, "stuck-peer-sender");
      sender.start();
      try {
        eventually(() -> MediaTestSupport.media(gateway).findSession("stuck-call").isPresent()
            && MediaTestSupport.media(gateway).findSession("bystander-call").isPresent());
        MediaSession stuckSession = MediaTestSupport.media(gateway).findSession("stuck-call").orElseThrow();
        MediaSession bystanderSession = MediaTestSupport.media(gateway).findSession("bystander-call").orElseThrow();

        byte[] tones = concat(OutcomeTone.TRY_AGAIN.pcm(16000), OutcomeTone.REJECTED.pcm(16000));
        int framesPerRound = tones.length / 640;
        int bystanderFramesPerRound = OutcomeTone.ACCEPTED.pcm(16000).length / 640;
        // Play until the stuck peer's socket buffers are full and its queue drops (bounded: 3000 rounds, ~150 MB).
        // Meanwhile the bystander is played one tone per round, and each tone must arrive whole before the next.
        int rounds = 0;
        int bystanderPlayed = 0;
        double maxQueued = 0;
        while (counter(gateway, "tonegate.media.outbound.dropped") == droppedBefore && rounds < 3000) {
          for (int i = 0; i < 20; i++, rounds++) {
            stuckSession.play(tones);                                  // never read: buffers fill, queue grows
          }
          bystanderSession.play(OutcomeTone.ACCEPTED.pcm(16000));     // read normally
          bystanderPlayed += bystanderFramesPerRound;
          int expected = bystanderPlayed;
          await(() -> audioDataReceived(bystander) >= expected);
          maxQueued = Math.max(maxQueued, queued());
        }
        int played = rounds;
        assertThat(counter(gateway, "tonegate.media.outbound.dropped")).as("drops after %d rounds", played)
            .isGreaterThan(droppedBefore);
        // one more tone to the bystander while the stuck queue is full and dropping
        bystanderSession.play(OutcomeTone.ACCEPTED.pcm(16000));
        int bystanderExpected = bystanderPlayed + bystanderFramesPerRound;
        await(() -> audioDataReceived(bystander) >= bystanderExpected);
        assertThat(audioDataReceived(bystander)).as("every frame played to the bystander arrived")
            .isEqualTo(bystanderExpected);
        maxQueued = Math.max(maxQueued, queued());
        assertThat(maxQueued).as("frames queued in the process (the stuck stream's bound, plus the bystander's "
            + "tone in flight)").isLessThanOrEqualTo(MAX_QUEUED + bystanderFramesPerRound);
        double dropped = counter(gateway, "tonegate.media.outbound.dropped") - droppedBefore;
        assertThat(dropped).as("frames dropped for the stuck peer, of %d played", played * framesPerRound)
            .isGreaterThan(0).isLessThanOrEqualTo(played * framesPerRound);
        assertThat(bystander.closed().isComplete()).isFalse();
      } finally {
        streaming.set(false);
        sender.join(5000);
      }
      // Now it stops sending too: the media idle timeout (2 s) closes the stream, which releases its queue at once.
      // Its close frame cannot reach a peer that reads nothing, so the TCP connection itself goes when
      // http.idleTimeout (read idle, 3 s here, 60 s by default) fires; only then is the close recorded.
      await(() -> queued() == 0);
      await(() -> counter(gateway, "tonegate.media.streams.closed", "reason", "idle_timeout") > idleClosedBefore);
    }
    assertThat(queued()).isZero();
    assertThat(MediaTestSupport.media(gateway).findSession("stuck-call")).isEmpty();
    assertThat(MediaTestSupport.media(gateway).findSession("bystander-call")).isPresent();
    vertx.cancelTimer(bystanderTimer);
    bystander.close(1000, "done");
  }

  @Test
  @DisplayName("audio played to a peer that has sent its close frame (TCP still open) is discarded: no write, no error")
  void playAfterPeerClose() throws Exception {
    String token = ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD));
    double peerClosedBefore = counter(gateway, "tonegate.media.streams.closed", "reason", "peer_closed");
    try (LogCapture log = new LogCapture();
         RawWebSocket peer = RawWebSocket.open(gateway.port(), gateway.certPath(), "leaving-call", token)) {
      peer.sendText(AcsMessages.audioMetadata("s", AudioFormat.PCM_16K));
      eventually(() -> MediaTestSupport.media(gateway).findSession("leaving-call").isPresent());
      MediaSession session = MediaTestSupport.media(gateway).findSession("leaving-call").orElseThrow();

      peer.sendClose(1000);
      assertThat(peer.awaitCloseFrame()).isEqualTo(1000);   // the gateway has taken the close: the socket is closed
      session.play(OutcomeTone.REJECTED.pcm(16000));       // e.g. the outcome tone of a caller who just hung up
      session.stopAudio();

      await(() -> counter(gateway, "tonegate.media.streams.closed", "reason", "peer_closed") > peerClosedBefore);
      await(() -> MediaTestSupport.media(gateway).findSession("leaving-call").isEmpty());
      assertThat(queued()).isZero();
      assertThat(log.errors()).isEmpty();
    }
  }

  @Test
  @DisplayName("a peer whose connection is reset while tones are being written to it: the stream closes, nothing logged at ERROR")
  void resetWhilePlaying() throws Exception {
    String token = ACS_KEY.sign(TestJwks.claims(ACS_ISS, AUD));
    double lostBefore = counter(gateway, "tonegate.media.streams.closed", "reason", "connection_lost");
    try (LogCapture log = new LogCapture()) {
      for (int call = 0; call < 10; call++) {   // the race (writes completing as the connection dies) needs a few tries
        String callId = "reset-call-" + call;
        RawWebSocket peer = RawWebSocket.open(gateway.port(), gateway.certPath(), callId, token);
        peer.sendText(AcsMessages.audioMetadata("s", AudioFormat.PCM_16K));
        eventually(() -> MediaTestSupport.media(gateway).findSession(callId).isPresent());
        MediaSession session = MediaTestSupport.media(gateway).findSession(callId).orElseThrow();
        for (int i = 0; i < 5; i++) {
          session.play(OutcomeTone.REJECTED.pcm(16000));
        }
        peer.reset();
        for (int i = 0; i < 5; i++) {
          session.play(OutcomeTone.TRY_AGAIN.pcm(16000));   // into a connection that is going or gone
        }
        await(() -> MediaTestSupport.media(gateway).findSession(callId).isEmpty());
      }
      await(() -> queued() == 0);
      assertThat(counter(gateway, "tonegate.media.streams.closed", "reason", "connection_lost") - lostBefore)
          .isEqualTo(10);
      assertThat(log.errors()).isEmpty();
    }
  }

  /** Polls (up to 60 s, the machine may be loaded) until {@code condition} holds; not a timing assertion. */
  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 60 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static long audioDataReceived(AcsMediaClient client) {
    return client.received().stream().filter(m -> m.contains("\"AudioData\"")).count();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
