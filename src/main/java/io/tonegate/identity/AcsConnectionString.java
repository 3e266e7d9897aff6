package io.tonegate.identity;

import java.net.URI;
import java.util.Locale;

/**
 * An ACS connection string, {@code endpoint=https://host/;accesskey=<base64>}, parsed the way the Azure SDK's
 * {@code CommunicationConnectionString} does (acs-wire.md §5.2): pairs split on {@code ;}, each on its first
 * {@code =}, key names case-insensitive, any other key refused.
 *
 * @param endpoint the service endpoint, always ending in {@code /}
 * @param accessKey the HMAC key
 */
public record AcsConnectionString(URI endpoint, AcsAccessKey accessKey) {

  /**
   * Parses a connection string. Error messages name the problem, never the key.
   *
   * @throws IllegalArgumentException on an unknown parameter, a missing endpoint or key, or a bad key
   */
  public static AcsConnectionString parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("connection string is empty");
    }
    String endpoint = null;
    String key = null;
    for (String pair : text.split(";")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("connection string has a parameter without a value");
      }
      String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = pair.substring(eq + 1).trim();
      switch (name) {
        case "endpoint" -> endpoint = value;
        case "accesskey" -> key = value;
        default -> throw new IllegalArgumentException("illegal connection string parameter name: " + name);
      }
    }
    if (endpoint == null || endpoint.isEmpty()) {
      throw new IllegalArgumentException("connection string has no endpoint");
    }
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("connection string has no accesskey");
    }
    URI uri;
    try {
      uri = URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("connection string endpoint is not a URI");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("connection string endpoint has no host");
    }
    return new AcsConnectionString(uri, AcsAccessKey.fromBase64(key));
  }

  /** The connection string text as the Azure portal shows it. Contains the secret key. */
  public String format() {
    return "endpoint=" + endpoint + ";accesskey=" + accessKey.toBase64();
  }

  @Override
  public String toString() {
    return "AcsConnectionString[endpoint=" + endpoint + ", accesskey=redacted]";
  }
}
