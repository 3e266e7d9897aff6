package io.tonegate.calls;

/**
 * What other capabilities learn about calls from Call Automation callbacks. Called on the event loop that handled
 * the callback, which is usually not the loop of the call's media WebSocket: implementations hand the work over to
 * their own context and return at once. Exceptions are logged and ignored.
 */
public interface CallEventListener {

  /** ACS connected the call (CallConnected). */
  default void onCallConnected(String callConnectionId) {
  }

  /**
   * The call ended (CallDisconnected, or Tonegate hung up): drop its media session and authentication state. The
   * call record is already deleted.
   */
  default void onCallDisconnected(String callConnectionId) {
  }

  /**
   * ACS recognised a DTMF tone (ContinuousDtmfRecognitionToneReceived). The same key press may also arrive in-band
   * and as DtmfData on the media stream: feed it to the call's digit stream as a callback-sourced digit, where the
   * merge drops duplicates.
   *
   * @param digit {@code 0-9}, {@code *}, {@code #}, {@code A-D}
   * @param sequenceId ACS's sequence number of the tone, -1 when absent
   */
  default void onTone(String callConnectionId, char digit, int sequenceId) {
  }

  /** MediaStreamingStarted/Stopped/Failed, with {@code mediaStreamingStatus} and its details. */
  default void onMediaStreaming(String callConnectionId, String eventName, String status, String details) {
  }
}
