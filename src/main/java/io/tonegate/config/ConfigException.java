package io.tonegate.config;

/**
 * A configuration value that cannot be used. The message is one line that names the key and the problem,
 * e.g. {@code redis.url: must start with redis:// or rediss://, got 'localhost'}.
 */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The full key path of the offending value, e.g. {@code redis.url}. */
  public String key() {
    return key;
  }
}
