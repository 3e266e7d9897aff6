package io.tonegate.media;

/** Where a DTMF digit of a call was observed. */
public enum DigitSource {
  /** Decoded from the call audio by the gateway's own DTMF receiver. */
  IN_BAND,
  /** A {@code DtmfData} message on the media WebSocket (ACS {@code enableDtmfTones}). */
  DTMF_DATA,
  /** A Call Automation callback ({@code ContinuousDtmfRecognitionToneReceived}), fed in with {@link MediaSession#offerDigit}. */
  CALLBACK
}
