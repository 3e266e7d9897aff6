package io.tonegate.caller;

/**
 * What caller authentication needs from a call's media session. The media module's session implements it (through
 * an adapter); tests implement it with a real WebSocket or in memory.
 */
public interface CallerMedia {

  /** The ACS call connection id of the call (from the {@code x-ms-call-connection-id} upgrade header). */
  String callConnectionId();

  /** The ACS correlation id. */
  String correlationId();

  /** Sample rate of the stream in Hz (16000 or 24000): outbound audio uses the same format. */
  int sampleRate();

  /** Plays 16-bit little-endian mono PCM to the caller (outbound AudioData), after anything queued. */
  void play(byte[] pcm);

  /** Drops queued outbound audio (StopAudio). */
  void stopAudio();

  /** The caller is authenticated: from now on the call's audio may be forwarded. */
  void authorize();
}
