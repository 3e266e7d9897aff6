package io.tonegate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how the gateway serves: address, port, TLS, instances, shutdown and request limits.
 *
 * @param publicUrl   base URL others use to reach the gateway, without a trailing slash
 * @param idleTimeout a connection that receives nothing for this long is closed; zero disables
 */
public record ServerConfig(
    String host,
    int port,
    String publicUrl,
    int instances,
    Path dataDir,
    boolean devMode,
    boolean tlsEnabled,
    Optional<Path> certPath,
    Optional<Path> keyPath,
    Duration drainTimeout,
    int maxBodySize,
    boolean publicUrlDefaulted,
    Duration idleTimeout) {

  public static ServerConfig from(ConfigTree root) {
    String host = root.nonEmptyString("host");
    int port = root.intValue("port", 0, 65_535);
    int instances = root.intValue("instances", 0, 256);
    if (instances == 0) {
      instances = Runtime.getRuntime().availableProcessors();
    }
    ConfigTree tls = root.section("tls");
    boolean tlsEnabled = tls.bool("enabled");
    Optional<Path> cert = tls.optionalString("certPath").map(Path::of);
    Optional<Path> key = tls.optionalString("keyPath").map(Path::of);
    if (cert.isPresent() != key.isPresent()) {
      throw new ConfigException(root.path(cert.isPresent() ? "tls.keyPath" : "tls.certPath"),
          "must be set together with " + (cert.isPresent() ? "tls.certPath" : "tls.keyPath"));
    }
    String publicUrl = root.optionalString("publicUrl").orElse((tlsEnabled ? "https" : "http") + "://localhost:" + port);
    if (!publicUrl.matches("https?://[^/\\s]+(/.*)?")) {
      throw new ConfigException(root.path("publicUrl"), "must be an http(s) URL, got '" + publicUrl + "'");
    }
    if (publicUrl.endsWith("/")) {
      publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    }
    Duration drain = root.section("shutdown").duration("drainTimeout", Duration.ZERO, Duration.ofMinutes(5));
    int maxBody = root.section("http").intValue("maxBodySize", 1024, 16 * 1024 * 1024);
    Duration idle = root.section("http").duration("idleTimeout", Duration.ZERO, Duration.ofHours(1));
    if (!idle.isZero() && idle.toMillis() < 1_000) {
      throw new ConfigException(root.path("http.idleTimeout"), "must be 0 (off) or at least 1s, got " + idle);
    }
    return new ServerConfig(host, port, publicUrl, instances, Path.of(root.nonEmptyString("dataDir")),
        root.bool("devMode"), tlsEnabled, cert, key, drain, maxBody, root.optionalString("publicUrl").isEmpty(),
        idle);
  }

  /** This config bound to {@code boundPort} (when 0 was configured); a defaulted public URL follows the port. */
  public ServerConfig withPort(int boundPort) {
    String url = publicUrlDefaulted ? (tlsEnabled ? "https" : "http") + "://localhost:" + boundPort : publicUrl;
    return new ServerConfig(host, boundPort, url, instances, dataDir, devMode, tlsEnabled, certPath, keyPath,
        drainTimeout, maxBodySize, publicUrlDefaulted, idleTimeout);
  }

  /** The public URL with the scheme swapped for WebSockets ({@code wss://} or {@code ws://}). */
  public String publicWebSocketUrl() {
    return publicUrl.replaceFirst("^http", "ws");
  }
}
