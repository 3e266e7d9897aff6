package io.tonegate.media;

import java.util.Locale;

/** A message the gateway refuses, with the close code it earns (RFC 6455 §7.4.1) and a bounded metric kind. */
public final class MediaProtocolException extends RuntimeException {

  /** Kinds of bad input, the {@code kind} tag of {@code tonegate.media.parse.errors}. */
  public enum Kind {
    /** Not well-formed JSON, or a message envelope without its payload object: 1007. */
    JSON(1007),
    /** AudioData {@code data} that is not valid base64 or not whole 16-bit samples: 1007. */
    BASE64(1007),
    /** Decoded AudioData length differs from the AudioMetadata {@code length}: 1007. */
    FRAME_LENGTH(1007),
    /** An AudioMetadata the gateway cannot serve (encoding, rate, channels, length): 1003 unsupported data. */
    METADATA(1003),
    /** AudioData before AudioMetadata, or a second AudioMetadata that changes the format: 1008 policy violation. */
    PROTOCOL(1008),
    /** A binary frame on this text-only protocol: 1003 unsupported data. */
    BINARY(1003),
    /** A message larger than {@code media.maxMessageBytes}: 1009 message too big. */
    OVERSIZE(1009),
    /** A DtmfData {@code data} character that is not a DTMF key: ignored, not fatal. */
    DTMF(0);

    private final int closeCode;

    Kind(int closeCode) {
      this.closeCode = closeCode;
    }

    /** The close code, or 0 when the error is counted but not fatal. */
    public int closeCode() {
      return closeCode;
    }

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;

  public MediaProtocolException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
