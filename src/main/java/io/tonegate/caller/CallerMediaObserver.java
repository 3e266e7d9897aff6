package io.tonegate.caller;

import io.tonegate.media.DigitEvent;
import io.tonegate.media.MediaSession;
import io.tonegate.media.MediaSessionObserver;
import io.tonegate.media.MediaSessionObserverFactory;

/**
 * Plugs caller authentication into the media module: every media session gets a {@link CallerSession} when its
 * stream starts; its merged digits (in-band, DtmfData, Call Automation callbacks) feed the session; the session ends
 * with the stream. Register with {@code mediaModule.addObserverFactory(CallerMediaObserver.factory(engine))}.
 *
 * <p>A digit's time for the decision-latency measurement is when the media module reports it: for in-band digits
 * that is as soon as the tone is recognised (about 30 ms after it starts), so the decision is usually taken while
 * the caller still holds {@code #}.
 */
public final class CallerMediaObserver implements MediaSessionObserver {

  private final CallerEngine engine;
  private final MediaSession media;
  private CallerSession session;

  private CallerMediaObserver(CallerEngine engine, MediaSession media) {
    this.engine = engine;
    this.media = media;
  }

  /** The factory to register on the media module. */
  public static MediaSessionObserverFactory factory(CallerEngine engine) {
    return media -> new CallerMediaObserver(engine, media);
  }

  @Override
  public void onStart() {
    session = engine.open(new MediaPort(media));
  }

  @Override
  public void onDigit(DigitEvent digit) {
    if (session != null) {
      session.digit(digit.digit(), System.nanoTime());
    }
  }

  @Override
  public void onClose(int code, String reason) {
    if (session != null) {
      session.close();
    }
  }

  /** The media session as caller authentication sees it. */
  private record MediaPort(MediaSession media) implements CallerMedia {

    @Override
    public String callConnectionId() {
      return media.callConnectionId();
    }

    @Override
    public String correlationId() {
      return media.correlationId();
    }

    @Override
    public int sampleRate() {
      return media.format().map(f -> f.sampleRate()).orElse(16_000);
    }

    @Override
    public void play(byte[] pcm) {
      media.play(pcm);
    }

    @Override
    public void stopAudio() {
      media.stopAudio();
    }

    @Override
    public void authorize() {
      media.authorize();
    }
  }
}
