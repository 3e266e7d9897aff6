package io.tonegate.media;

import java.util.Optional;

/**
 * One ACS media stream (one call), as other features see it. Every method may be called from any thread: calls
 * are carried over to the session's event loop, where all of its state lives. Observers are called on that loop.
 */
public interface MediaSession {

  /** {@code x-ms-call-connection-id} of the upgrade. */
  String callConnectionId();

  /** {@code x-ms-call-correlation-id} of the upgrade (empty string when absent). */
  String correlationId();

  /** The stream's format, known once AudioMetadata has arrived (always present in and after {@code onStart}). */
  Optional<AudioFormat> format();

  /** How the upgrade was authenticated: {@code acs} (an ACS-issued JWT) or {@code tonegate} (a media token). */
  String authenticatedBy();

  /**
   * Plays PCM into the call (bidirectional streaming): the audio is cut into 20 ms outbound {@code AudioData}
   * messages in the stream's format and queued. The queue is bounded ({@code media.outbound.maxQueuedFrames}): when
   * full, the oldest queued audio is dropped and counted, never blocking. Ignored before AudioMetadata or after close.
   *
   * @param pcm 16-bit little-endian mono PCM at {@link #format()}'s rate; an odd trailing byte is dropped
   */
  void play(byte[] pcm);

  /** Drops all queued outbound audio and sends {@code StopAudio} so ACS flushes what it buffered. */
  void stopAudio();

  /** Closes the WebSocket with a close code (RFC 6455 §7.4) and a short reason. Idempotent. */
  void close(int code, String reason);

  /**
   * Marks the call as authorized (e.g. the caller entered a valid code). From then on the call audio is also
   * forwarded to the downstream audio consumers; DTMF detection runs regardless. Idempotent.
   */
  void authorize();

  boolean isAuthorized();

  /**
   * Offers a digit observed outside the stream (a Call Automation tone callback) to this call's digit stream. It is
   * merged with the in-band and DtmfData digits without double counting; observers see it only if it is new.
   */
  void offerDigit(char digit, DigitSource source);

  /** True once the WebSocket is closed. */
  boolean isClosed();
}
