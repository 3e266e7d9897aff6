package io.tonegate.loadtest;

import io.tonegate.identity.AcsAccessKey;

import java.net.URI;

/**
 * The gateway under test, as {@code loadtest/run.sh} started it: {@code -Dtonegate.url=https://127.0.0.1:PORT} and
 * the throwaway access key it generated, {@code -Dtonegate.accessKey=BASE64} (or the environment variable
 * {@code TONEGATE_ACCESS_KEY}).
 */
public final class Target {

  private Target() {
  }

  /** Base URL of the gateway, without a trailing slash. */
  public static String baseUrl() {
    String url = System.getProperty("tonegate.url", "https://localhost:8443").trim();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The same base URL with the WebSocket scheme. */
  public static String wsBaseUrl() {
    return baseUrl().replaceFirst("^http", "ws");
  }

  /** The host name the HMAC signature covers (without port, as the ACS SDKs sign it). */
  public static String host() {
    return URI.create(baseUrl()).getHost();
  }

  /** The gateway's access key (HMAC-SHA256). */
  public static AcsAccessKey accessKey() {
    String key = System.getProperty("tonegate.accessKey", "").trim();
    if (key.isEmpty()) {
      key = System.getenv().getOrDefault("TONEGATE_ACCESS_KEY", "").trim();
    }
    if (key.isEmpty()) {
      throw new IllegalStateException("no access key: pass -Dtonegate.accessKey=BASE64 (loadtest/run.sh does)");
    }
    return AcsAccessKey.fromBase64(key);
  }
}
