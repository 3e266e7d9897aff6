package io.tonegate.media;

/**
 * The result of parsing one inbound media message, as a reused mutable holder: nothing is allocated per AudioData
 * message. Ranges point into the parser's input array and stay valid until the next parse.
 */
public final class MediaMessage {

  /** The message kinds the gateway acts on; everything else is {@link #UNKNOWN} (ignored and counted). */
  public enum Kind { AUDIO_METADATA, AUDIO_DATA, DTMF_DATA, UNKNOWN }

  Kind kind;

  // AudioMetadata (ints -1 when absent)
  String encoding;
  int sampleRate;
  int channels;
  int length;

  // AudioData: base64 PCM as [dataStart, dataEnd) of the input; dataEscaped when it held a JSON escape
  int dataStart;
  int dataEnd;
  boolean dataEscaped;
  /** Bytes of PCM the parser decoded from {@code data} into its buffer, -1 when there was no data. */
  int pcmLength;
  boolean silent;

  // DtmfData: the digits as [digitsStart, digitsEnd)
  int digitsStart;
  int digitsEnd;

  void reset() {
    kind = Kind.UNKNOWN;
    encoding = null;
    sampleRate = -1;
    channels = -1;
    length = -1;
    dataStart = -1;
    dataEnd = -1;
    dataEscaped = false;
    pcmLength = -1;
    silent = false;
    digitsStart = -1;
    digitsEnd = -1;
  }

  public Kind kind() {
    return kind;
  }

  public String encoding() {
    return encoding;
  }

  public int sampleRate() {
    return sampleRate;
  }

  public int channels() {
    return channels;
  }

  public int length() {
    return length;
  }

  public boolean silent() {
    return silent;
  }

  public boolean hasData() {
    return dataStart >= 0;
  }

  public int dataStart() {
    return dataStart;
  }

  public int dataEnd() {
    return dataEnd;
  }

  public boolean dataEscaped() {
    return dataEscaped;
  }

  /** Bytes of decoded PCM in {@link MediaMessageParser#pcm()}, or -1 when the message had no AudioData data. */
  public int pcmLength() {
    return pcmLength;
  }

  public int digitsStart() {
    return digitsStart;
  }

  public int digitsEnd() {
    return digitsEnd;
  }
}
