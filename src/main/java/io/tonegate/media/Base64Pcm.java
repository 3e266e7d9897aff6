package io.tonegate.media;

import io.tonegate.media.MediaProtocolException.Kind;

import java.util.Arrays;

/**
 * Decodes the base64 {@code data} of an AudioData message straight from the message bytes into a caller-owned
 * buffer (RFC 4648 §4, standard alphabet; padding optional; a JSON-escaped {@code \/} is accepted because some
 * JSON writers escape slashes). Allocation-free.
 */
public final class Base64Pcm {

  private static final byte[] DECODE = new byte[256];

  static {
    Arrays.fill(DECODE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE[alphabet.charAt(i)] = (byte) i;
    }
  }

  private Base64Pcm() {
  }

  /** The largest decoded size of {@code encodedChars} base64 characters. */
  public static int maxDecodedLength(int encodedChars) {
    return (encodedChars + 3) / 4 * 3;
  }

  /**
   * Decodes {@code src[from, to)} into {@code dst} (which must hold {@link #maxDecodedLength}{@code (to - from)}
   * bytes) and returns the decoded length.
   *
   * @param escaped the range may contain JSON escapes; only {@code \/} is valid inside base64
   * @throws MediaProtocolException of kind {@link Kind#BASE64} for anything that is not base64
   */
  public static int decode(byte[] src, int from, int to, boolean escaped, byte[] dst) {
    return decode(src, from, to, escaped, dst, 0);
  }

  /** As {@link #decode(byte[], int, int, boolean, byte[])}, writing from {@code dst[dstOffset]}. */
  public static int decode(byte[] src, int from, int to, boolean escaped, byte[] dst, int dstOffset) {
    if (escaped) {
      return decodeEscaped(src, from, to, dst, dstOffset);
    }
    int length = to - from;
    // strip padding: at most two '='
    if (length > 0 && src[to - 1] == '=') {
      to--;
      if (to > from && src[to - 1] == '=') {
        to--;
      }
      if ((length & 3) != 0) {
        throw invalid("padded base64 of a length that is not a multiple of 4");
      }
    }
    int out = dstOffset;
    int p = from;
    int fullEnd = from + ((to - from) & ~3);
    byte[] table = DECODE;
    while (p < fullEnd) {
      int a = table[src[p] & 0xFF];
      int b = table[src[p + 1] & 0xFF];
      int c = table[src[p + 2] & 0xFF];
      int d = table[src[p + 3] & 0xFF];
      if ((a | b | c | d) < 0) {
        throw invalid("not a base64 character");
      }
      int bits = (a << 18) | (b << 12) | (c << 6) | d;
      dst[out] = (byte) (bits >> 16);
      dst[out + 1] = (byte) (bits >> 8);
      dst[out + 2] = (byte) bits;
      out += 3;
      p += 4;
    }
    int rest = to - p;
    if (rest == 1) {
      throw invalid("base64 with a dangling character");
    }
    if (rest >= 2) {
      int a = table[src[p] & 0xFF];
      int b = table[src[p + 1] & 0xFF];
      int c = rest == 3 ? table[src[p + 2] & 0xFF] : 0;
      if ((a | b | c) < 0) {
        throw invalid("not a base64 character");
      }
      int bits = (a << 18) | (b << 12) | (c << 6);
      dst[out++] = (byte) (bits >> 16);
      if (rest == 3) {
        dst[out++] = (byte) (bits >> 8);
      }
    }
    return out - dstOffset;
  }

  private static int decodeEscaped(byte[] src, int from, int to, byte[] dst, int dstOffset) {
    int bits = 0;
    int count = 0;
    int out = dstOffset;
    int padding = 0;
    for (int p = from; p < to; p++) {
      int ch = src[p] & 0xFF;
      if (ch == '\\') {
        if (p + 1 < to && src[p + 1] == '/') {
          p++;
          ch = '/';
        } else {
          throw invalid("a JSON escape other than \\/ inside base64");
        }
      }
      if (ch == '=') {
        padding++;
        continue;
      }
      if (padding > 0) {
        throw invalid("data after base64 padding");
      }
      int v = DECODE[ch];
      if (v < 0) {
        throw invalid("not a base64 character");
      }
      bits = (bits << 6) | v;
      if (++count == 4) {
        dst[out] = (byte) (bits >> 16);
        dst[out + 1] = (byte) (bits >> 8);
        dst[out + 2] = (byte) bits;
        out += 3;
        count = 0;
        bits = 0;
      }
    }
    if (count == 1 || padding > 2) {
      throw invalid("base64 with a dangling character");
    }
    if (count == 2) {
      dst[out++] = (byte) (bits >> 4);
    } else if (count == 3) {
      dst[out++] = (byte) (bits >> 10);
      dst[out++] = (byte) (bits >> 2);
    }
    return out - dstOffset;
  }

  private static MediaProtocolException invalid(String message) {
    return new MediaProtocolException(Kind.BASE64, message);
  }
}
