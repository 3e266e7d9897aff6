package io.tonegate.presence;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code presence.poller} section: where to fetch presence owned by another system (Graph-like
 * {@code GET <baseUrl>/users/{id}/presence}) and how to get an OAuth token for it.
 *
 * @param grant          {@code client_credentials} (one application token) or {@code refresh_token} (per user, the
 *                       refresh token given at registration)
 * @param encryptionKey  AES-256 key for tokens at rest in Redis (32 bytes, base64 in config/env)
 * @param interval       each registered user is fetched once per interval, requests spread evenly over it
 * @param maxRetryAfter  longest Retry-After honoured; longer values are capped (and counted as throttled)
 */
public record PollerConfig(
    boolean enabled,
    String baseUrl,
    String tokenUrl,
    Grant grant,
    String clientId,
    Optional<String> clientSecret,
    String scope,
    Optional<byte[]> encryptionKey,
    Duration interval,
    Duration requestTimeout,
    Duration maxRetryAfter,
    int maxUsers) {

  public enum Grant { CLIENT_CREDENTIALS, REFRESH_TOKEN }

  public static PollerConfig from(ConfigTree poller) {
    boolean enabled = poller.bool("enabled");
    Optional<byte[]> key = poller.optionalString("encryptionKey").map(text -> {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(poller.path("encryptionKey"), "must be base64");
      }
      if (bytes.length != 32) {
        throw new ConfigException(poller.path("encryptionKey"), "must be 32 bytes (AES-256), got " + bytes.length);
      }
      return bytes;
    });
    String baseUrl = stripSlash(poller.string("baseUrl").trim());
    String tokenUrl = poller.string("tokenUrl").trim();
    if (enabled) {
      requireHttpUrl(poller, "baseUrl", baseUrl);
      requireHttpUrl(poller, "tokenUrl", tokenUrl);
      poller.nonEmptyString("clientId");
      if (key.isEmpty()) {
        throw new ConfigException(poller.path("encryptionKey"), "must be set when the poller is enabled");
      }
    }
    return new PollerConfig(enabled, baseUrl, tokenUrl, poller.enumValue("grant", Grant.class),
        poller.string("clientId").trim(), poller.optionalString("clientSecret"), poller.string("scope").trim(), key,
        poller.duration("interval", Duration.ofMillis(100), Duration.ofHours(24)),
        poller.duration("requestTimeout", Duration.ofMillis(100), Duration.ofMinutes(2)),
        poller.duration("maxRetryAfter", Duration.ofSeconds(1), Duration.ofHours(1)),
        poller.intValue("maxUsers", 1, 1_000_000));
  }

  private static void requireHttpUrl(ConfigTree poller, String key, String value) {
    try {
      URI uri = URI.create(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // fall through to the error below
    }
    throw new ConfigException(poller.path(key), "must be an http(s) URL, got '" + value + "'");
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
