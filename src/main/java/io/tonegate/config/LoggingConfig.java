package io.tonegate.config;

/** Log format (text or JSON lines) and root level. */
public record LoggingConfig(Format format, Level level) {

  public enum Format { TEXT, JSON }

  public enum Level { TRACE, DEBUG, INFO, WARN, ERROR }

  public static LoggingConfig from(ConfigTree logging) {
    return new LoggingConfig(logging.enumValue("format", Format.class), logging.enumValue("level", Level.class));
  }
}
