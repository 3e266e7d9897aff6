package io.tonegate.media;

/** Creates the observer of each new media session; register it with {@link MediaModule#addObserverFactory}. */
@FunctionalInterface
public interface MediaSessionObserverFactory {

  /**
   * Called on the session's event loop once the upgrade was accepted, before any message is handled.
   *
   * @return the observer, or {@code null} to not follow this session
   */
  MediaSessionObserver create(MediaSession session);
}
