package io.tonegate.caller;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A media session in memory for engine tests: what the gateway plays is decoded with the {@link OutcomeToneDetector},
 * as a caller would hear it.
 */
final class RecordingMedia implements CallerMedia {

  private final String callConnectionId;
  private final int sampleRate;
  private final OutcomeToneDetector detector;
  final List<OutcomeTone> heard = new CopyOnWriteArrayList<>();
  final AtomicBoolean authorized = new AtomicBoolean();
  final AtomicBoolean stopped = new AtomicBoolean();

  RecordingMedia(String callConnectionId, int sampleRate) {
    this.callConnectionId = callConnectionId;
    this.sampleRate = sampleRate;
    this.detector = new OutcomeToneDetector(sampleRate, (tone, edge) -> {
      if (edge == OutcomeToneDetector.Edge.START) {
        heard.add(tone);
      }
    });
  }

  @Override
  public String callConnectionId() {
    return callConnectionId;
  }

  @Override
  public String correlationId() {
    return "corr-" + callConnectionId;
  }

  @Override
  public int sampleRate() {
    return sampleRate;
  }

  @Override
  public synchronized void play(byte[] pcm) {
    detector.feed(pcm);
    detector.silence(OutcomeToneDetector.QUIET_MS + 40); // the end of what was played
  }

  @Override
  public void stopAudio() {
    stopped.set(true);
  }

  @Override
  public void authorize() {
    authorized.set(true);
  }

  /** Waits until {@code count} tones were heard (or 10 s) and returns them. */
  List<OutcomeTone> awaitTones(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (heard.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return List.copyOf(heard);
  }
}
