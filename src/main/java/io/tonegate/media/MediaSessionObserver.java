package io.tonegate.media;

/**
 * Follows one media session. Created per session by a {@link MediaSessionObserverFactory} registered on the
 * {@link MediaModule}. Called on the session's event loop, one call at a time: keep each call short and never block
 * (start async work and return). An exception thrown here is logged and counted, and does not close the call.
 */
public interface MediaSessionObserver {

  /** The stream is ready: AudioMetadata arrived, {@link MediaSession#format()} is known, audio follows. */
  default void onStart() {
  }

  /** A key press (merged across sources, so each press is reported once). */
  default void onDigit(DigitEvent digit) {
  }

  /**
   * The WebSocket closed (by either side, or at shutdown). Always the last call, exactly once, also when the stream
   * closed before {@link #onStart}.
   *
   * @param code   the close code (ours when we closed, the peer's otherwise; 1006 when the connection dropped)
   * @param reason a short, bounded reason ({@code idle_timeout}, {@code peer_closed}, ...)
   */
  default void onClose(int code, String reason) {
  }
}
