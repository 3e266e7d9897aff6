package io.tonegate.media;

import io.tonegate.simulator.AcsMediaClient;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/** Shared helpers of the media tests: connect like ACS, read meters, record what observers see. */
final class MediaTestSupport {

  static final String ACS_ISS = "https://acscallautomation.communication.azure.com";
  static final String AUD = "3d20e1de-0f28-41c5-8e2b-0000000000aa";

  private MediaTestSupport() {
  }

  static URI mediaUrl(TestGateway gateway) {
    return URI.create("wss://localhost:" + gateway.port() + "/ws/media");
  }

  static AcsMediaClient connect(Vertx vertx, TestGateway gateway, String callId, String token) throws Exception {
    return AcsMediaClient.connect(vertx, gateway.webSocketOptions(),
        new AcsMediaClient.Target(mediaUrl(gateway), callId, "corr-" + callId, token)).await(10, TimeUnit.SECONDS);
  }

  static double counter(TestGateway gateway, String name, String... tags) {
    var search = gateway.gateway().context().registry().find(name);
    if (tags.length > 0) {
      search = search.tags(tags);
    }
    var counter = search.counter();
    return counter == null ? 0 : counter.count();
  }

  static MediaModule media(TestGateway gateway) {
    return gateway.gateway().module(MediaModule.class).orElseThrow();
  }

  static int closeCode(AcsMediaClient client) throws Exception {
    return client.closed().await(10, TimeUnit.SECONDS);
  }

  /** Records every observer callback of every session. */
  static final class Recorder implements MediaSessionObserverFactory {
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    record Seen(String callId, DigitEvent digit) {
    }

    final ConcurrentLinkedQueue<Seen> digits = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<MediaSession> sessions = new ConcurrentLinkedQueue<>();

    @Override
    public MediaSessionObserver create(MediaSession session) {
      sessions.add(session);
      return new MediaSessionObserver() {
        @Override
        public void onStart() {
          events.add(session.callConnectionId() + " start " + session.format().orElseThrow().sampleRate());
        }

        @Override
        public void onDigit(DigitEvent digit) {
          digits.add(new Seen(session.callConnectionId(), digit));
          events.add(session.callConnectionId() + " digit " + digit.digit() + " " + digit.source());
        }

        @Override
        public void onClose(int code, String reason) {
          events.add(session.callConnectionId() + " close " + code + " " + reason);
        }
      };
    }

    boolean closed(String callId) {
      return events.stream().anyMatch(e -> e.startsWith(callId + " close "));
    }

    List<DigitEvent> digitsOf(String callId) {
      return digits.stream().filter(s -> s.callId().equals(callId)).map(Seen::digit).toList();
    }
  }

  /** Polls until {@code condition} holds (up to 10 s); for asynchronous outcomes, not for timing. */
  static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
