package io.tonegate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating view of one section of the merged configuration. Every getter names the full key path in
 * its {@link ConfigException}, so a bad value stops start-up with a line an operator can act on.
 *
 * <p>Feature config records read their section with it, e.g. {@code RedisConfig.from(root.section("redis"))}.
 */
public final class ConfigTree {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final JsonObject values;
  private final String prefix;

  public ConfigTree(JsonObject values) {
    this(values, "");
  }

  private ConfigTree(JsonObject values, String prefix) {
    this.values = values;
    this.prefix = prefix;
  }

  /** The raw values of this section (a copy). */
  public JsonObject toJson() {
    return values.copy();
  }

  /** The full key path of {@code key} in this section. */
  public String path(String key) {
    return prefix.isEmpty() ? key : prefix + "." + key;
  }

  public boolean has(String key) {
    return values.getValue(key) != null;
  }

  public ConfigTree section(String key) {
    Object value = require(key);
    if (!(value instanceof JsonObject object)) {
      throw new ConfigException(path(key), "must be a section (a map of keys), got " + describe(value));
    }
    return new ConfigTree(object, path(key));
  }

  public String string(String key) {
    Object value = require(key);
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw new ConfigException(path(key), "must be a string, got " + describe(value));
  }

  /** A string that may be left empty to mean "not set". */
  public Optional<String> optionalString(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    String s = string(key).trim();
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  public String nonEmptyString(String key) {
    return optionalString(key).orElseThrow(() -> new ConfigException(path(key), "must not be empty"));
  }

  public int intValue(String key, int min, int max) {
    long value = longValue(key, min, max);
    return (int) value;
  }

  public long longValue(String key, long min, long max) {
    Object value = require(key);
    long parsed;
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      parsed = n.longValue();
    } else if (value instanceof String s && s.trim().matches("-?\\d+")) {
      parsed = Long.parseLong(s.trim());
    } else {
      throw new ConfigException(path(key), "must be a whole number, got " + describe(value));
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(path(key), "must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  public double doubleValue(String key, double min, double max) {
    Object value = require(key);
    double parsed;
    try {
      parsed = value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(path(key), "must be a number, got " + describe(value));
    }
    if (!(parsed >= min && parsed <= max)) {
      throw new ConfigException(path(key), "must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  public boolean bool(String key) {
    Object value = require(key);
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1":
          return true;
        case "false", "no", "off", "0":
          return false;
        default:
          break;
      }
    }
    throw new ConfigException(path(key), "must be true or false, got " + describe(value));
  }

  /** A duration written as {@code 250ms}, {@code 30s}, {@code 15m}, {@code 1h} or {@code 7d}. */
  public Duration duration(String key, Duration min, Duration max) {
    Object value = require(key);
    Duration parsed = parseDuration(value);
    if (parsed == null) {
      throw new ConfigException(path(key), "must be a duration like 250ms, 30s, 15m, 1h or 7d, got " + describe(value));
    }
    if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
      throw new ConfigException(path(key),
          "must be between " + format(min) + " and " + format(max) + ", got " + format(parsed));
    }
    return parsed;
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
    String raw = string(key).trim();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw)) {
        return constant;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      allowed.add(constant.name().toLowerCase(Locale.ROOT));
    }
    throw new ConfigException(path(key), "must be one of " + String.join(", ", allowed) + ", got '" + raw + "'");
  }

  public List<String> strings(String key) {
    Object value = require(key);
    List<String> out = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String || item instanceof Number || item instanceof Boolean)) {
          throw new ConfigException(path(key), "must be a list of strings, got an item " + describe(item));
        }
        out.add(String.valueOf(item).trim());
      }
    } else if (value instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    } else {
      throw new ConfigException(path(key), "must be a list, got " + describe(value));
    }
    return List.copyOf(out);
  }

  /** Items of a list of sections, e.g. several OIDC providers. */
  public List<ConfigTree> sections(String key) {
    Object value = require(key);
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(path(key), "must be a list of sections, got " + describe(value));
    }
    List<ConfigTree> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject object)) {
        throw new ConfigException(path(key) + "[" + i + "]", "must be a section, got " + describe(array.getValue(i)));
      }
      out.add(new ConfigTree(object, path(key) + "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  static Duration parseDuration(Object value) {
    if (value instanceof Number n && n.longValue() >= 0) {
      return Duration.ofMillis(n.longValue()); // a bare number is milliseconds
    }
    if (!(value instanceof String s)) {
      return null;
    }
    Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
    if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0 && ms > 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  private Object require(String key) {
    Object value = values.getValue(key);
    if (value == null) {
      throw new ConfigException(path(key), "is missing");
    }
    return value;
  }

  private static String describe(Object value) {
    if (value instanceof String s) {
      return "'" + s + "'";
    }
    if (value instanceof JsonObject) {
      return "a section";
    }
    if (value instanceof JsonArray) {
      return "a list";
    }
    return String.valueOf(value);
  }
}
