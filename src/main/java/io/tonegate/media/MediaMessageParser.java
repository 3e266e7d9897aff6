package io.tonegate.media;

import io.tonegate.media.MediaProtocolException.Kind;

import java.nio.charset.StandardCharsets;

/**
 * Parses inbound ACS media messages (acs-wire.md §1.2) from UTF-8 bytes without allocating: a small validating
 * recursive-descent JSON scanner that records where the interesting values are instead of building a tree.
 *
 * <ul>
 *   <li>Property names and {@code kind} values are matched case-insensitively ({@code kind}/{@code Kind},
 *       {@code audioData}/{@code AudioData}, {@code AudioData}/{@code audiodata}), as acs-wire.md §1.4 asks.</li>
 *   <li>Dispatch is on the {@code kind} value, never on which payload keys are present. A message without
 *       {@code kind}, or with a kind the gateway does not act on, is {@link MediaMessage.Kind#UNKNOWN}.</li>
 *   <li>The whole message must be well-formed JSON (RFC 8259), at most {@value #MAX_DEPTH} levels deep; otherwise
 *       a {@link MediaProtocolException} of kind {@link Kind#JSON}.</li>
 *   <li>Timestamps, participant ids and unknown members are validated as JSON and skipped (the gateway times audio
 *       by samples received, which is exact).</li>
 * </ul>
 * AudioData {@code data} is base64-decoded in the same pass as it is scanned, into a PCM buffer the parser owns and
 * reuses ({@link #pcm()}); invalid base64 fails with {@link Kind#BASE64}.
 * One parser per connection (it owns a reused {@link MediaMessage}); not thread-safe.
 */
public final class MediaMessageParser {

  static final int MAX_DEPTH = 16;

  private static final byte[] KIND = ascii("kind");
  private static final byte[] AUDIO_DATA = ascii("audiodata");
  private static final byte[] AUDIO_METADATA = ascii("audiometadata");
  private static final byte[] DTMF_DATA = ascii("dtmfdata");
  private static final byte[] DATA = ascii("data");
  private static final byte[] SILENT = ascii("silent");
  private static final byte[] ENCODING = ascii("encoding");
  private static final byte[] SAMPLE_RATE = ascii("samplerate");
  private static final byte[] CHANNELS = ascii("channels");
  private static final byte[] LENGTH = ascii("length");

  private final MediaMessage message = new MediaMessage();
  private static final byte[] BASE64 = base64Table();
  private byte[] pcm = new byte[1024];
  private byte[] in;
  private int pos;
  private int end;
  // the last string read: [strStart, strEnd), and whether it held an escape
  private int strStart;
  private int strEnd;
  private boolean strEscaped;
  private boolean sawAudioData;
  private boolean sawAudioMetadata;
  private boolean sawDtmfData;

  /**
   * Parses {@code input[0, length)}. The returned holder is reused by the next call.
   *
   * @throws MediaProtocolException of kind {@link Kind#JSON} for malformed input
   */
  public MediaMessage parse(byte[] input, int length) {
    in = input;
    pos = 0;
    end = length;
    message.reset();
    sawAudioData = false;
    sawAudioMetadata = false;
    sawDtmfData = false;
    int kindStart = -1;
    int kindEnd = -1;

    skipWhitespace();
    if (openObject()) {
      do {
        readKey();
        int keyStart = strStart;
        int keyEnd = strEnd;
        boolean keyEscaped = strEscaped;
        if (!keyEscaped && equalsIgnoreCase(keyStart, keyEnd, KIND) && peek() == '"') {
          readString();
          kindStart = strEnd == strStart || strEscaped ? -2 : strStart; // escaped kinds match nothing
          kindEnd = strEnd;
        } else if (!keyEscaped && peek() == '{' && equalsIgnoreCase(keyStart, keyEnd, AUDIO_DATA)) {
          sawAudioData = true;
          parsePayload(PAYLOAD_AUDIO);
        } else if (!keyEscaped && peek() == '{' && equalsIgnoreCase(keyStart, keyEnd, AUDIO_METADATA)) {
          sawAudioMetadata = true;
          parsePayload(PAYLOAD_METADATA);
        } else if (!keyEscaped && peek() == '{' && equalsIgnoreCase(keyStart, keyEnd, DTMF_DATA)) {
          sawDtmfData = true;
          parsePayload(PAYLOAD_DTMF);
        } else {
          skipValue(1);
        }
      } while (nextMember('}'));
    }
    skipWhitespace();
    if (pos != end) {
      throw malformed("trailing data after the message");
    }
    if (kindStart >= 0) {
      if (equalsIgnoreCase(kindStart, kindEnd, AUDIO_DATA)) {
        require(sawAudioData, "AudioData without an audioData object");
        message.kind = MediaMessage.Kind.AUDIO_DATA;
      } else if (equalsIgnoreCase(kindStart, kindEnd, AUDIO_METADATA)) {
        require(sawAudioMetadata, "AudioMetadata without an audioMetadata object");
        message.kind = MediaMessage.Kind.AUDIO_METADATA;
      } else if (equalsIgnoreCase(kindStart, kindEnd, DTMF_DATA)) {
        require(sawDtmfData, "DtmfData without a dtmfData object");
        message.kind = MediaMessage.Kind.DTMF_DATA;
      }
    }
    return message;
  }

  private static final int PAYLOAD_AUDIO = 0;
  private static final int PAYLOAD_METADATA = 1;
  private static final int PAYLOAD_DTMF = 2;

  private void parsePayload(int payload) {
    if (!openObject()) {
      return;
    }
    do {
      readKey();
      int keyStart = strStart;
      int keyEnd = strEnd;
      boolean plain = !strEscaped;
      byte first = peek();
      if (plain && first == '"' && (payload == PAYLOAD_AUDIO || payload == PAYLOAD_DTMF)
          && equalsIgnoreCase(keyStart, keyEnd, DATA)) {
        if (payload == PAYLOAD_AUDIO) {
          readBase64String();
        } else {
          readString();
          message.digitsStart = strStart;
          message.digitsEnd = strEnd;
        }
      } else if (plain && payload == PAYLOAD_AUDIO && (first == 't' || first == 'f')
          && equalsIgnoreCase(keyStart, keyEnd, SILENT)) {
        message.silent = first == 't';
        skipValue(2);
      } else if (plain && payload == PAYLOAD_METADATA && first == '"' && equalsIgnoreCase(keyStart, keyEnd, ENCODING)) {
        readString();
        message.encoding = new String(in, strStart, strEnd - strStart, StandardCharsets.UTF_8); // once per call
      } else if (plain && payload == PAYLOAD_METADATA && (first == '-' || (first >= '0' && first <= '9'))
          && (equalsIgnoreCase(keyStart, keyEnd, SAMPLE_RATE) || equalsIgnoreCase(keyStart, keyEnd, CHANNELS)
          || equalsIgnoreCase(keyStart, keyEnd, LENGTH))) {
        int value = readIntOrMinusTwo();
        if (equalsIgnoreCase(keyStart, keyEnd, SAMPLE_RATE)) {
          message.sampleRate = value;
        } else if (equalsIgnoreCase(keyStart, keyEnd, CHANNELS)) {
          message.channels = value;
        } else {
          message.length = value;
        }
      } else {
        skipValue(2);
      }
    } while (nextMember('}'));
  }

  /** The PCM decoded from the last AudioData message ({@link MediaMessage#pcmLength()} bytes); reused. */
  public byte[] pcm() {
    return pcm;
  }

  /**
   * Reads the AudioData {@code data} string and decodes it in one pass: whole quads of base64 characters are decoded
   * as they are scanned; the first character that is not plain base64 (the closing quote, padding, an escape, or
   * garbage) ends the fast loop, and the rest is validated as a JSON string and decoded by {@link Base64Pcm}.
   */
  private void readBase64String() {
    if (peek() != '"') {
      throw malformed("expected a string");
    }
    int start = pos + 1;
    int maxPcm = Base64Pcm.maxDecodedLength(end - start);
    if (maxPcm > pcm.length) {
      pcm = new byte[Math.max(maxPcm, pcm.length * 2)];
    }
    byte[] a = in;
    byte[] out = pcm;
    byte[] table = BASE64;
    int p = start;
    int o = 0;
    int quadsEnd = end - 4;
    while (p <= quadsEnd) {
      int b0 = table[a[p] & 0xFF];
      int b1 = table[a[p + 1] & 0xFF];
      int b2 = table[a[p + 2] & 0xFF];
      int b3 = table[a[p + 3] & 0xFF];
      if ((b0 | b1 | b2 | b3) < 0) {
        break;
      }
      int bits = (b0 << 18) | (b1 << 12) | (b2 << 6) | b3;
      out[o] = (byte) (bits >> 16);
      out[o + 1] = (byte) (bits >> 8);
      out[o + 2] = (byte) bits;
      o += 3;
      p += 4;
    }
    int restStart = p;
    readStringFrom(restStart); // validates the rest as JSON and finds the closing quote
    message.dataStart = start;
    message.dataEnd = strEnd;
    message.dataEscaped = strEscaped;
    strStart = start;
    if (restStart < strEnd) {
      o += Base64Pcm.decode(a, restStart, strEnd, strEscaped, out, o);
    }
    message.pcmLength = o;
  }

  // ---- JSON scanning -------------------------------------------------------------------------------------------

  private void skipValue(int depth) {
    if (depth > MAX_DEPTH) {
      throw malformed("nested deeper than " + MAX_DEPTH);
    }
    byte b = peek();
    switch (b) {
      case '"' -> readString();
      case '{' -> {
        if (openObject()) {
          do {
            readKey();
            skipValue(depth + 1);
          } while (nextMember('}'));
        }
      }
      case '[' -> {
        pos++;
        skipWhitespace();
        if (peek() == ']') {
          pos++;
          return;
        }
        do {
          skipValue(depth + 1);
        } while (nextMember(']'));
      }
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (b == '-' || (b >= '0' && b <= '9')) {
          readIntOrMinusTwo();
        } else {
          throw malformed("unexpected character");
        }
      }
    }
  }

  /** Consumes the '{' at pos and the whitespace after it; false when the object is empty (its '}' consumed too). */
  private boolean openObject() {
    expect('{');
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return false;
    }
    return true;
  }

  /** Reads a member's key and the ':' after it; the key is left in strStart/strEnd/strEscaped. */
  private void readKey() {
    readString();
    skipWhitespace();
    expect(':');
    skipWhitespace();
  }

  /** After a member's value: false at the closing {@code close}, true after a ',' (and the whitespace after it). */
  private boolean nextMember(char close) {
    skipWhitespace();
    byte b = next();
    if (b == close) {
      return false;
    }
    if (b != ',') {
      throw malformed(close == '}' ? "expected , or }" : "expected , or ]");
    }
    skipWhitespace();
    return true;
  }

  /** Reads a string at pos; leaves its content range in strStart/strEnd. Validates escapes and control chars. */
  private void readString() {
    if (peek() != '"') {
      throw malformed("expected a string");
    }
    readStringFrom(pos + 1);
  }

  /** Scans string content from {@code contentStart} (just after the opening quote) to the closing quote. */
  private void readStringFrom(int contentStart) {
    pos = contentStart;
    strStart = pos;
    strEscaped = false;
    byte[] a = in;
    int p = pos;
    int e = end;
    while (p < e) {
      byte b = a[p];
      if (b == '"') {
        strEnd = p;
        pos = p + 1;
        return;
      }
      if (b == '\\') {
        strEscaped = true;
        if (p + 1 >= e) {
          break;
        }
        byte c = a[p + 1];
        if (c == 'u') {
          if (p + 5 >= e || !hex(a[p + 2]) || !hex(a[p + 3]) || !hex(a[p + 4]) || !hex(a[p + 5])) {
            throw malformed("bad \\u escape");
          }
          p += 6;
          continue;
        }
        if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't') {
          throw malformed("bad escape");
        }
        p += 2;
        continue;
      }
      if ((b & 0xFF) < 0x20) {
        throw malformed("control character in a string");
      }
      p++;
    }
    throw malformed("unterminated string");
  }

  /** Reads a JSON number; returns it when it is an integer in int range (>= 0), -2 otherwise. */
  private int readIntOrMinusTwo() {
    boolean negative = false;
    if (peek() == '-') {
      negative = true;
      pos++;
    }
    byte b = peek();
    if (b < '0' || b > '9') {
      throw malformed("bad number");
    }
    long value = 0;
    boolean integral = true;
    if (b == '0') {
      pos++;
    } else {
      while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
        value = Math.min(value * 10 + (in[pos] - '0'), Integer.MAX_VALUE + 1L);
        pos++;
      }
    }
    if (pos < end && in[pos] == '.') {
      integral = false;
      pos++;
      digits();
    }
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      integral = false;
      pos++;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      digits();
    }
    if (!integral || negative || value > Integer.MAX_VALUE) {
      return -2;
    }
    return (int) value;
  }

  private void digits() {
    int start = pos;
    while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    if (pos == start) {
      throw malformed("bad number");
    }
  }

  private void literal(String word) {
    int n = word.length();
    if (pos + n > end) {
      throw malformed("bad literal");
    }
    for (int i = 0; i < n; i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw malformed("bad literal");
      }
    }
    pos += n;
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte b = in[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }

  private byte peek() {
    if (pos >= end) {
      throw malformed("unexpected end of message");
    }
    return in[pos];
  }

  private byte next() {
    byte b = peek();
    pos++;
    return b;
  }

  private void expect(char c) {
    if (next() != c) {
      throw malformed("expected '" + c + "'");
    }
  }

  private boolean equalsIgnoreCase(int start, int stop, byte[] lowerAscii) {
    if (stop - start != lowerAscii.length) {
      return false;
    }
    for (int i = 0; i < lowerAscii.length; i++) {
      int b = in[start + i];
      if (b >= 'A' && b <= 'Z') {
        b += 32;
      }
      if (b != lowerAscii[i]) {
        return false;
      }
    }
    return true;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new MediaProtocolException(Kind.JSON, message);
    }
  }

  private static boolean hex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static MediaProtocolException malformed(String message) {
    return new MediaProtocolException(Kind.JSON, message);
  }

  private static byte[] base64Table() {
    byte[] table = new byte[256];
    java.util.Arrays.fill(table, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      table[alphabet.charAt(i)] = (byte) i;
    }
    return table;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
