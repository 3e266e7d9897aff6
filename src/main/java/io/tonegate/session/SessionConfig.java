package io.tonegate.session;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * The {@code session} section: how session keys are stored, how long they live, and the key rules.
 *
 * @param digest         HMAC of keys under the server secret
 * @param secretSource   where the secret came from (for the start-up log; never the secret)
 * @param rules          key formats and code lengths
 * @param defaultTtl     TTL when a request gives none
 * @param minTtl         shortest TTL accepted
 * @param maxTtl         longest TTL accepted
 * @param maxValueBytes  largest stored value (encoded JSON)
 * @param consume        what a successful validation does to the key
 * @param redisTimeout   deadline for the API's Redis operations
 */
public record SessionConfig(
    SessionKeyDigest digest,
    String secretSource,
    SessionKeyRules rules,
    Duration defaultTtl,
    Duration minTtl,
    Duration maxTtl,
    int maxValueBytes,
    ConsumeMode consume,
    Duration redisTimeout) {

  /** File under the data directory holding the generated development secret. */
  public static final String DEV_SECRET_FILE = "session-key-secret";

  /**
   * Reads the section. An empty {@code keySecret} is allowed only in {@code devMode}: a random secret is then
   * generated once under {@code dataDir} and reused, so keys survive restarts of a development gateway.
   */
  public static SessionConfig from(ConfigTree session, boolean devMode, Path dataDir) {
    byte[] secret;
    String source;
    var configured = session.optionalString("keySecret");
    if (configured.isPresent()) {
      try {
        secret = Base64.getDecoder().decode(configured.get());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(session.path("keySecret"), "must be base64");
      }
      if (secret.length < SessionKeyDigest.MIN_SECRET_BYTES) {
        throw new ConfigException(session.path("keySecret"),
            "must decode to at least " + SessionKeyDigest.MIN_SECRET_BYTES + " bytes, got " + secret.length);
      }
      source = "configured";
    } else if (devMode) {
      Path file = dataDir.resolve(DEV_SECRET_FILE);
      secret = loadOrCreateDevSecret(file);
      source = "development secret in " + file;
    } else {
      throw new ConfigException(session.path("keySecret"),
          "must be set (base64, at least 32 bytes, the same on every instance) when devMode is false");
    }
    int minCode = session.intValue("minCodeLength", 1, 32);
    int maxCode = session.intValue("maxCodeLength", 1, 32);
    if (maxCode < minCode) {
      throw new ConfigException(session.path("maxCodeLength"), "must be at least minCodeLength (" + minCode + ")");
    }
    Duration minTtl = session.duration("minTtl", Duration.ofSeconds(1), Duration.ofDays(30));
    Duration maxTtl = session.duration("maxTtl", minTtl, Duration.ofDays(30));
    Duration defaultTtl = session.duration("defaultTtl", minTtl, maxTtl);
    String consume = session.string("consume").trim().replace('-', '_');
    ConsumeMode mode;
    try {
      mode = ConsumeMode.valueOf(consume.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(session.path("consume"), "must be one-time or keep-until-ttl, got '" + consume + "'");
    }
    return new SessionConfig(new SessionKeyDigest(secret), source,
        new SessionKeyRules(minCode, maxCode, session.bool("sipWithCode")),
        defaultTtl, minTtl, maxTtl,
        session.intValue("maxValueBytes", 64, 1024 * 1024),
        mode,
        session.duration("redisTimeout", Duration.ofMillis(10), Duration.ofMinutes(1)));
  }

  private static synchronized byte[] loadOrCreateDevSecret(Path file) {
    try {
      if (Files.exists(file)) {
        byte[] secret = Base64.getDecoder().decode(Files.readString(file).trim());
        if (secret.length >= SessionKeyDigest.MIN_SECRET_BYTES) {
          return secret;
        }
      }
      Files.createDirectories(file.getParent());
      byte[] secret = new byte[SessionKeyDigest.MIN_SECRET_BYTES];
      new SecureRandom().nextBytes(secret);
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Base64.getEncoder().encodeToString(secret) + "\n");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the file stays with the default permissions
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the development session secret " + file, e);
    }
  }
}
