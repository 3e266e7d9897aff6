package io.tonegate.media;

/**
 * Receives the call audio of one session, frame by frame, on the session's event loop. The array is a reused
 * per-connection buffer: copy what you keep, and return quickly (the 20 ms frame budget is shared by every call on
 * the loop).
 */
@FunctionalInterface
public interface AudioConsumer {

  /**
   * @param pcm    16-bit little-endian mono PCM in the session's format
   * @param length bytes of PCM at the start of {@code pcm}
   * @param silent the frame's {@code silent} flag
   */
  void onAudio(byte[] pcm, int length, boolean silent);

  /** The stream ended (no more audio). */
  default void onEnd() {
  }

  /** Creates the consumer of each session ({@code null}: none for this session). */
  @FunctionalInterface
  interface Factory {
    AudioConsumer create(MediaSession session, AudioFormat format);
  }
}
