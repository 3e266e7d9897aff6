package io.tonegate.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small JSON helpers for JOSE objects, free of any framework types.
 *
 * <p>{@link ObjectWriter} writes pure-ASCII JSON whose base64url encoding never contains {@code -} or {@code _}, so
 * the Java SDK's {@code CommunicationTokenCredential}, which decodes the payload with the <em>standard</em> base64
 * decoder (acs-wire.md §6.2), can read it. Why this works: for ASCII bytes (all below 0x80) the only 6-bit groups
 * that can reach 62 or 63 (base64url {@code -}/{@code _}) are the low six bits of every third byte, and only for
 * {@code >} (0x3E), {@code ?} (0x3F), {@code ~} (0x7E) and DEL (0x7F). The writer escapes those four, and every
 * non-ASCII character, as {@code \\uXXXX} inside strings; JSON structure and digits never contain them.
 */
final class JwtJson {

  /** Upper bound on JSON nesting and sizes for untrusted token segments. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(8).maxStringLength(4096).maxNumberLength(32).build())
      .build();

  private JwtJson() {
  }

  /** Writes one flat JSON object, in insertion order. */
  static final class ObjectWriter {
    private final StringBuilder out = new StringBuilder(256).append('{');
    private boolean first = true;

    ObjectWriter field(String name, String value) {
      name(name);
      string(value);
      return this;
    }

    ObjectWriter field(String name, long value) {
      name(name);
      out.append(value);
      return this;
    }

    ObjectWriter field(String name, Collection<String> values) {
      name(name);
      out.append('[');
      boolean firstValue = true;
      for (String v : values) {
        if (!firstValue) {
          out.append(',');
        }
        firstValue = false;
        string(v);
      }
      out.append(']');
      return this;
    }

    /** Appends a field whose value is already-serialised JSON written by another ObjectWriter. */
    ObjectWriter rawField(String name, String json) {
      name(name);
      out.append(json);
      return this;
    }

    String toJson() {
      return out.toString() + '}';
    }

    private void name(String name) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(name);
      out.append(':');   // no space: the SDK's exp regex "exp":*([0-9]+) allows none
    }

    private void string(String s) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20 || c >= 0x7F || c == '>' || c == '?' || c == '~') {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }

  /** base64url without padding, as JWS requires (RFC 7515 §2). */
  static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Parses a JSON object into a map of String, Long, Double, Boolean, null, List and Map values.
   *
   * @throws IllegalArgumentException if the text is not one JSON object
   */
  static Map<String, Object> parseObject(byte[] json) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Map<String, Object> map = readObject(parser);
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException("trailing data after JSON object");
      }
      return map;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON", e);
    }
  }

  private static Map<String, Object> readObject(JsonParser parser) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      if (map.containsKey(name)) {
        throw new IllegalArgumentException("duplicate member '" + name + "'");
      }
      map.put(name, readValue(parser));
    }
    return map;
  }

  private static Object readValue(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> readObject(parser);
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(readValue(parser));
        }
        yield list;
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getLongValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IllegalArgumentException("unexpected JSON token " + token);
    };
  }
}
