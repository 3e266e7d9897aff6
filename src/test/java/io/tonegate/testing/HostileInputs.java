package io.tonegate.testing;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of hostile request bodies, derived from one valid example of an API's input: malformed,
 * truncated, oversize and type-confused JSON, and hostile strings in the example's own fields. The same seed gives the
 * same cases, so a failure is reproduced with {@code -Dtonegate.fuzz.seed=N}; the default seed is fixed so CI is
 * deterministic, and any other seed explores further.
 *
 * <p>Each case says whether the input MUST be refused ({@link Case#mustRefuse()}): syntactically invalid JSON
 * (checked with the gateway's JSON parser, never assumed) and bodies over the size limit. The others (valid
 * JSON with confused types or hostile strings) may be accepted or refused, but never answered with a 5xx.
 */
public final class HostileInputs {

  /** What a case attacks. */
  public enum Kind {
    /** Not JSON at all, or JSON with one byte broken. */
    MALFORMED,
    /** A valid document cut short. */
    TRUNCATED,
    /** Over the body limit, or pathological within it (deep nesting, long numbers, many keys). */
    OVERSIZE,
    /** Valid JSON with a value of the wrong type, or the wrong top-level shape. */
    TYPE_CONFUSED,
    /** Valid JSON whose strings carry injection, encoding and length attacks. */
    HOSTILE_STRING
  }

  /**
   * One hostile body.
   *
   * @param mustRefuse true when any answer but a 4xx is a bug (invalid JSON, over the limit)
   */
  public record Case(Kind kind, String label, byte[] body, boolean mustRefuse) {

    public String bodyPreview() {
      String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
      return text.replaceAll("\\p{Cntrl}", "?") + (body.length > 120 ? "...(" + body.length + " bytes)" : "");
    }

    @Override
    public String toString() {
      return kind + "/" + label + ": " + bodyPreview();
    }
  }

  /**
   * The same cases for an endpoint that ignores its body (e.g. ACS's {@code :revokeAccessTokens}): any body may be
   * accepted, but over the size limit it must still be refused.
   */
  public static List<Case> bodyIgnored(List<Case> cases) {
    return cases.stream().map(c -> new Case(c.kind(), c.label(), c.body(), c.label().startsWith("over-limit")))
        .toList();
  }

  /** The default seed (fixed: CI runs the same cases every time). */
  public static final long DEFAULT_SEED = 0x70_6E_67_61_74_65L;

  /** Strings that have broken parsers, key builders, logs and templates somewhere. */
  static final List<String> HOSTILE_STRINGS = List.of(
      "", " ", "\u0000", "a\u0000b", "\r\nX-Injected: 1", "\n\n<script>alert(1)</script>", "../../../etc/passwd",
      "%00", "%2e%2e%2f", "{", "}", "{tag}", "*", "?", "[", "\\", "\"", "'", "' OR '1'='1", "\"); redis.call('FLUSHALL') --",
      "${jndi:ldap://127.0.0.1/a}", "%s%s%s%n", "\u202Eevil", "\u200B", "\uD83D\uDE00", "\uD800", "\uFFFF", "\uFEFF",
      "null", "true", "-1", "0", "1e309", "NaN", "Infinity", "9223372036854775808", "+", "+1", "sip:", "8:acs:",
      "pstn:+1:1", "tg:", "x".repeat(4096), "\u00e9".repeat(2000));

  private final long seed;
  private final SplittableRandom random;

  public HostileInputs(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
  }

  /** A generator with the seed from {@code -Dtonegate.fuzz.seed} or {@link #DEFAULT_SEED}. */
  public static HostileInputs fromSystemProperty() {
    String configured = System.getProperty("tonegate.fuzz.seed");
    return new HostileInputs(configured == null || configured.isBlank() ? DEFAULT_SEED : Long.decode(configured));
  }

  public long seed() {
    return seed;
  }

  /**
   * About {@code count} cases derived from {@code validExample} (a JsonObject or JsonArray the API accepts), for an
   * API whose body limit is {@code maxBodyBytes}. Every kind is represented.
   */
  public List<Case> jsonCases(Object validExample, int count, int maxBodyBytes) {
    String text = Json.encode(validExample);
    List<Case> cases = new ArrayList<>(fixedCases(text, maxBodyBytes));
    while (cases.size() < count) {
      cases.add(switch (random.nextInt(5)) {
        case 0 -> mutateByte(text);
        case 1 -> truncate(text);
        case 2 -> confuseType(validExample);
        case 3 -> hostileString(validExample);
        default -> randomBytes();
      });
    }
    return cases;
  }

  /**
   * About {@code count} Authorization header values derived from a valid {@code Bearer} JWT, every one of which must
   * be refused: missing or broken scheme, wrong segment counts, {@code alg: none}, an HMAC algorithm over the same
   * claims (key confusion), altered header, payload or signature bytes, oversize tokens.
   */
  public List<String> hostileBearerTokens(String validJwt, int count) {
    String[] parts = validJwt.split("\\.");
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String payload = parts[1];
    List<String> tokens = new ArrayList<>(List.of(
        "", "Bearer", "Bearer ", validJwt, "Basic " + validJwt, "Bearer " + parts[0] + "." + parts[1],
        "Bearer " + validJwt + ".x", "Bearer " + parts[0] + ".." + parts[2], "Bearer ..", "Bearer " + "a".repeat(20_000),
        "Bearer " + validJwt.replace('.', '!'), "Bearer " + parts[1] + "." + parts[0] + "." + parts[2],
        "Bearer " + b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
            + payload + ".",
        "Bearer " + b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + payload,
        "Bearer " + b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
            + payload + "." + b64.encodeToString(new byte[32]),
        "Bearer " + b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"../../etc/passwd\"}"
            .getBytes(StandardCharsets.UTF_8)) + "." + payload + "." + parts[2],
        "Bearer " + b64.encodeToString("not json".getBytes(StandardCharsets.UTF_8)) + "." + payload + "." + parts[2],
        "Bearer " + parts[0] + "." + b64.encodeToString("[]".getBytes(StandardCharsets.UTF_8)) + "." + parts[2],
        "Bearer " + parts[0] + "." + payload + "." + parts[2].substring(0, parts[2].length() / 2)));
    while (tokens.size() < count) {
      int segment = random.nextInt(3);
      char[] chars = parts[segment].toCharArray();
      // never the last character: its low bits may be base64 padding a lenient decoder ignores
      int at = random.nextInt(chars.length - 1);
      char replacement = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(random.nextInt(64));
      if (replacement == chars[at]) {
        continue;
      }
      chars[at] = replacement;
      String[] altered = parts.clone();
      altered[segment] = new String(chars);
      tokens.add("Bearer " + String.join(".", altered));
    }
    return tokens;
  }

  /** The deterministic part: shapes every API must survive, whatever the seed. */
  private List<Case> fixedCases(String valid, int maxBodyBytes) {
    List<Case> cases = new ArrayList<>();
    cases.add(classify(Kind.MALFORMED, "empty", new byte[0]));
    cases.add(classify(Kind.MALFORMED, "not-json", "not json".getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.MALFORMED, "trailing-garbage", (valid + "}{").getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.MALFORMED, "two-documents", (valid + valid).getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.MALFORMED, "nul-prefix", concat(new byte[] {0}, valid.getBytes(StandardCharsets.UTF_8))));
    cases.add(classify(Kind.MALFORMED, "invalid-utf8", concat("{\"a\":\"".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xC0, (byte) 0x80, (byte) 0xFF}, "\"}".getBytes(StandardCharsets.UTF_8))));
    cases.add(classify(Kind.MALFORMED, "utf16", valid.getBytes(StandardCharsets.UTF_16)));
    cases.add(classify(Kind.MALFORMED, "single-quotes", valid.replace('"', '\'').getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.MALFORMED, "comment", ("/*x*/" + valid).getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.TRUNCATED, "first-byte", valid.substring(0, 1).getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.TRUNCATED, "last-byte-missing",
        valid.substring(0, valid.length() - 1).getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.OVERSIZE, "over-limit-by-1", padTo(valid, maxBodyBytes + 1)));
    cases.add(classify(Kind.OVERSIZE, "over-limit-x4", padTo(valid, maxBodyBytes * 4)));
    cases.add(classify(Kind.OVERSIZE, "nesting-5000", ("[".repeat(5000) + "]".repeat(5000))
        .getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.OVERSIZE, "unclosed-nesting", "{\"a\":".repeat(8000).getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.OVERSIZE, "number-5000-digits", ("{\"n\":" + "9".repeat(5000) + "}")
        .getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.OVERSIZE, "many-keys", manyKeys(Math.max(1, maxBodyBytes / 16))));
    cases.add(classify(Kind.OVERSIZE, "long-string", ("{\"s\":\"" + "x".repeat(Math.max(0, maxBodyBytes - 16)) + "\"}")
        .getBytes(StandardCharsets.UTF_8)));
    cases.add(classify(Kind.OVERSIZE, "escaped-unicode-bomb",
        ("{\"s\":\"" + "\\u0000".repeat(Math.max(1, (maxBodyBytes - 16) / 6)) + "\"}").getBytes(StandardCharsets.UTF_8)));
    for (String shape : List.of("null", "true", "0", "-1", "1e999", "\"\"", "\"x\"", "[]", "{}", "[null]", "[[]]",
        "[{}]", "{\"\":null}")) {
      cases.add(classify(Kind.TYPE_CONFUSED, "top-level " + shape, shape.getBytes(StandardCharsets.UTF_8)));
    }
    return cases;
  }

  private Case mutateByte(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int at = random.nextInt(bytes.length);
    byte[] out;
    String label;
    switch (random.nextInt(3)) {
      case 0 -> {
        out = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
        label = "delete@" + at;
      }
      case 1 -> {
        out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = pick(new byte[] {'{', '}', '[', ']', '"', ',', ':', '\\', 0, (byte) 0xFF});
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        label = "insert@" + at;
      }
      default -> {
        out = bytes.clone();
        out[at] = (byte) random.nextInt(256);
        label = "flip@" + at;
      }
    }
    return classify(Kind.MALFORMED, label, out);
  }

  private Case truncate(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int length = 1 + random.nextInt(Math.max(1, bytes.length - 1));
    byte[] out = new byte[length];
    System.arraycopy(bytes, 0, out, 0, length);
    return classify(Kind.TRUNCATED, "cut@" + length, out);
  }

  private Case randomBytes() {
    byte[] out = new byte[1 + random.nextInt(512)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(256));
    }
    return classify(Kind.MALFORMED, "random-" + out.length, out);
  }

  private Case confuseType(Object example) {
    Object copy = copy(example);
    List<Slot> slots = slots(copy);
    if (slots.isEmpty()) {
      return classify(Kind.TYPE_CONFUSED, "whole", "[]".getBytes(StandardCharsets.UTF_8));
    }
    Slot slot = slots.get(random.nextInt(slots.size()));
    List<Object> replacements = new ArrayList<>(List.of(
        true, false, 0, -1, Long.MAX_VALUE, 1.5e308, "", "x", new JsonArray(), new JsonObject(),
        new JsonArray().add((Object) null), new JsonObject().put("", ""), new JsonArray().add(new JsonArray())));
    replacements.add(null);
    Object replacement = pick(replacements);
    slot.set(replacement);
    return classify(Kind.TYPE_CONFUSED, slot.path + "=" + Json.encode(replacement),
        Json.encode(copy).getBytes(StandardCharsets.UTF_8));
  }

  private Case hostileString(Object example) {
    Object copy = copy(example);
    List<Slot> slots = slots(copy);
    String value = pick(HOSTILE_STRINGS);
    if (slots.isEmpty()) {
      return classify(Kind.HOSTILE_STRING, "whole", Json.encode(value).getBytes(StandardCharsets.UTF_8));
    }
    Slot slot = slots.get(random.nextInt(slots.size()));
    slot.set(value);
    String shown = value.length() > 20 ? value.substring(0, 20) + "..." : value;
    return classify(Kind.HOSTILE_STRING, slot.path + "=" + Json.encode(shown),
        Json.encode(copy).getBytes(StandardCharsets.UTF_8));
  }

  /** A settable value inside a document. */
  private record Slot(String path, java.util.function.Consumer<Object> setter) {
    void set(Object value) {
      setter.accept(value);
    }
  }

  private static List<Slot> slots(Object node) {
    List<Slot> out = new ArrayList<>();
    collect(node, "$", out);
    return out;
  }

  private static void collect(Object node, String path, List<Slot> out) {
    if (node instanceof JsonObject object) {
      for (String key : List.copyOf(object.fieldNames())) {
        String child = path + "." + key;
        out.add(new Slot(child, v -> object.put(key, v)));
        collect(object.getValue(key), child, out);
      }
    } else if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        int index = i;
        String child = path + "[" + i + "]";
        out.add(new Slot(child, v -> array.set(index, v)));
        collect(array.getValue(i), child, out);
      }
    }
  }

  private static Object copy(Object example) {
    if (example instanceof JsonObject o) {
      return o.copy();
    }
    if (example instanceof JsonArray a) {
      return a.copy();
    }
    throw new IllegalArgumentException("the example must be a JsonObject or JsonArray");
  }

  /**
   * A case is a required refusal when it is over the body limit, empty (APIs whose body is optional may accept it, so
   * empty is not counted), or not JSON even to the most lenient reading a handler may use: bytes decoded as UTF-8
   * with replacement characters, surrounding control characters and spaces trimmed ({@code String.trim()}).
   */
  private static Case classify(Kind kind, String label, byte[] body) {
    boolean overLimit = label.startsWith("over-limit");
    return new Case(kind, label, body, overLimit || (body.length > 0 && !parsesLeniently(body)));
  }

  /**
   * Whether Vert.x's JSON decoder (Jackson) accepts the bytes, read as leniently as any handler reads them: from the
   * bytes (Jackson detects UTF-16/32 by itself), or from a UTF-8 string with replacement characters, trimmed.
   */
  public static boolean parsesLeniently(byte[] body) {
    try {
      Json.CODEC.fromBuffer(io.vertx.core.buffer.Buffer.buffer(body), Object.class);
      return true;
    } catch (RuntimeException e) {
      // not as bytes; maybe as a lenient string
    }
    String text = new String(body, StandardCharsets.UTF_8).trim();
    try {
      Json.decodeValue(text);
      return !text.isEmpty();
    } catch (DecodeException | IllegalStateException e) {
      return false;
    } catch (RuntimeException e) {
      return false; // e.g. StreamConstraintsException from Jackson's nesting and number-length limits
    }
  }

  private static byte[] padTo(String valid, int size) {
    StringBuilder padded = new StringBuilder(size);
    padded.append(valid, 0, valid.length() - 1);
    while (padded.length() < size - 1) {
      padded.append(' ');
    }
    padded.append(valid.charAt(valid.length() - 1));
    return padded.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] manyKeys(int n) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  private byte pick(byte[] options) {
    return options[random.nextInt(options.length)];
  }
}
