package io.tonegate.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the effective configuration: the documented defaults ({@code conf/tonegate.yaml}, packaged in the jar),
 * then an optional file, then {@code TONEGATE_*} environment variables. Pure: takes the environment as a map so
 * tests can pass their own.
 */
public final class ConfigLoader {

  /** Classpath location of the defaults; the build copies {@code conf/tonegate.yaml} there. */
  public static final String DEFAULTS_RESOURCE = "/conf/tonegate.yaml";
  public static final String ENV_PREFIX = "TONEGATE_";

  private ConfigLoader() {
  }

  /** The defaults alone. */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + DEFAULTS_RESOURCE + " on the classpath; was the jar built?");
      }
      return parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULTS_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads defaults, overlays {@code file} when given, then the environment.
   *
   * @throws ConfigException naming the key for an unknown key, unreadable file or malformed value
   */
  public static JsonObject load(Path file, Map<String, String> env) {
    JsonObject merged = defaults();
    if (file != null) {
      overlay(merged, readFile(file), "");
    }
    applyEnvironment(merged, "", env);
    return merged;
  }

  /** Overlays {@code changes} (e.g. a test's settings) on {@code base}, refusing keys the defaults do not have. */
  public static void overlay(JsonObject base, JsonObject changes, String prefix) {
    for (Map.Entry<String, Object> entry : changes) {
      String key = entry.getKey();
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (!base.containsKey(key)) {
        throw new ConfigException(path, "unknown key (see conf/tonegate.yaml for the keys)");
      }
      Object current = base.getValue(key);
      Object value = entry.getValue();
      if (current instanceof JsonObject currentSection && !currentSection.isEmpty()) {
        if (!(value instanceof JsonObject valueSection)) {
          throw new ConfigException(path, "must be a section (a map of keys)");
        }
        overlay(currentSection, valueSection, path);
      } else {
        base.put(key, value);
      }
    }
  }

  /** The environment variable that overrides {@code keyPath}, e.g. {@code redis.maxPoolSize -> TONEGATE_REDIS_MAX_POOL_SIZE}. */
  public static String environmentName(String keyPath) {
    StringBuilder out = new StringBuilder(ENV_PREFIX);
    for (int i = 0; i < keyPath.length(); i++) {
      char c = keyPath.charAt(i);
      if (c == '.') {
        out.append('_');
      } else if (Character.isUpperCase(c)) {
        out.append('_').append(c);
      } else {
        out.append(Character.toUpperCase(c));
      }
    }
    return out.toString();
  }

  private static void applyEnvironment(JsonObject section, String prefix, Map<String, String> env) {
    for (String key : List.copyOf(section.fieldNames())) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object current = section.getValue(key);
      if (current instanceof JsonObject child && !child.isEmpty()) {
        applyEnvironment(child, path, env);
        continue;
      }
      String name = environmentName(path);
      String raw = env.get(name);
      if (raw != null) {
        section.put(key, parseEnvironmentValue(path, name, raw));
      }
    }
  }

  private static Object parseEnvironmentValue(String path, String name, String raw) {
    String trimmed = raw.trim();
    try {
      if (trimmed.startsWith("[")) {
        return new JsonArray(trimmed);
      }
      if (trimmed.startsWith("{")) {
        return new JsonObject(trimmed);
      }
    } catch (DecodeException e) {
      throw new ConfigException(path, "environment variable " + name + " is not valid JSON");
    }
    // Left as text: the typed getters in ConfigTree parse numbers, booleans, durations and comma lists.
    return raw;
  }

  private static JsonObject readFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    return parseYaml(text, file.toString());
  }

  static JsonObject parseYaml(String text, String source) {
    try {
      // SafeConstructor: plain maps, lists and scalars only, never arbitrary classes.
      Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (parsed == null) {
        return new JsonObject();
      }
      if (!(parsed instanceof Map<?, ?> map)) {
        throw new ConfigException(source, "must be a map of keys at the top level");
      }
      return toJson(map);
    } catch (YAMLException e) {
      String firstLine = String.valueOf(e.getMessage()).split("\n", 2)[0];
      throw new ConfigException(source, "not valid YAML or JSON: " + firstLine.toLowerCase(Locale.ROOT));
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject toJson(Map<?, ?> map) {
    JsonObject out = new JsonObject();
    map.forEach((k, v) -> out.put(String.valueOf(k), toJsonValue(v)));
    return out;
  }

  private static Object toJsonValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return toJson(map);
    }
    if (value instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(item -> array.add(toJsonValue(item)));
      return array;
    }
    if (value instanceof java.util.Date || value instanceof byte[]) {
      return String.valueOf(value);
    }
    return value;
  }
}
