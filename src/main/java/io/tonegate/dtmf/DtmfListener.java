package io.tonegate.dtmf;

/**
 * Receives the digits a {@link DtmfReceiver} decodes. Called on the thread that feeds the receiver, from inside
 * {@code feed}/{@code finish}; keep it short.
 */
@FunctionalInterface
public interface DtmfListener {

  /** A digit ended (the tone stopped, or the stream finished while it was on). */
  void onDigit(DtmfDigit digit);

  /**
   * A digit was recognised (it has lasted long enough to be valid) and is still sounding. Useful for barge-in:
   * stop a prompt as soon as the caller presses a key. Every start is followed by exactly one {@link #onDigit}.
   * Primitive arguments so that nothing is allocated for it.
   *
   * @param key         the key
   * @param startSample first sample of the tone at the stream's sample rate
   */
  default void onDigitStarted(char key, long startSample) {
  }
}
