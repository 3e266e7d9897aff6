package io.tonegate.identity;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;
import io.tonegate.config.ServerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The identity feature's configuration: the access keys (top-level {@code accessKey}, {@code secondaryAccessKey})
 * and the {@code identity} section of conf/tonegate.yaml, where every default and its meaning is written.
 *
 * @param accessKeys the configured HMAC keys, primary first; empty when none is set (dev mode generates one)
 * @param resourceId the ACS-style resource id in identity ids and tokens
 * @param issuer the {@code iss} of minted tokens
 * @param audience the {@code aud} of minted and accepted tokens
 * @param maxBodySize largest identity API request body in bytes
 * @param hmacMaxClockSkew accepted x-ms-date distance
 * @param hmacExtraHosts further host names clients may sign
 * @param algorithm the token signing algorithm
 * @param signingKeyPath PEM file of the signing key; empty: generated keys shared through Redis
 * @param previousKeyPaths PEM files of earlier keys whose tokens still verify
 * @param rotateEvery age at which generated keys rotate (zero: never)
 * @param keyRefresh how often the shared key ring is re-read from Redis
 * @param tokenClockSkew tolerated clock difference for token exp/iat
 */
public record IdentityConfig(
    List<AcsAccessKey> accessKeys,
    String resourceId,
    String issuer,
    String audience,
    int maxBodySize,
    Duration hmacMaxClockSkew,
    List<String> hmacExtraHosts,
    JwtAlgorithm algorithm,
    Optional<Path> signingKeyPath,
    List<Path> previousKeyPaths,
    Duration rotateEvery,
    Duration keyRefresh,
    Duration tokenClockSkew) {

  /** Reads the top-level access keys and the {@code identity} section; bad values name their key. */
  public static IdentityConfig from(ConfigTree root, ServerConfig server) {
    List<AcsAccessKey> keys = new ArrayList<>(2);
    accessKey(root, "accessKey").ifPresent(keys::add);
    Optional<AcsAccessKey> secondary = accessKey(root, "secondaryAccessKey");
    if (secondary.isPresent() && keys.isEmpty()) {
      throw new ConfigException(root.path("secondaryAccessKey"), "is set but accessKey is not");
    }
    secondary.ifPresent(keys::add);

    ConfigTree identity = root.section("identity");
    String resourceId = identity.nonEmptyString("resourceId");
    if (!resourceId.matches("[A-Za-z0-9-]{1,64}")) {
      throw new ConfigException(identity.path("resourceId"), "must be 1-64 letters, digits or '-', got '" + resourceId + "'");
    }
    String issuer = identity.optionalString("issuer").orElse(server.publicUrl() + "/");
    ConfigTree hmac = identity.section("hmac");
    ConfigTree tokens = identity.section("tokens");
    return new IdentityConfig(
        List.copyOf(keys),
        resourceId,
        issuer,
        identity.nonEmptyString("audience"),
        identity.intValue("maxBodySize", 256, 1 << 20),
        hmac.duration("maxClockSkew", Duration.ofSeconds(1), Duration.ofHours(1)),
        hmac.strings("extraHosts"),
        tokens.enumValue("algorithm", JwtAlgorithm.class),
        tokens.optionalString("signingKeyPath").map(Path::of),
        tokens.strings("previousKeyPaths").stream().map(Path::of).toList(),
        tokens.duration("rotateEvery", Duration.ZERO, Duration.ofDays(366)),
        tokens.duration("keyRefresh", Duration.ofSeconds(1), Duration.ofHours(1)),
        tokens.duration("clockSkew", Duration.ZERO, Duration.ofMinutes(10)));
  }

  private static Optional<AcsAccessKey> accessKey(ConfigTree root, String key) {
    Optional<String> text = root.optionalString(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(AcsAccessKey.fromBase64(text.get()));
    } catch (IllegalArgumentException e) {
      // The message never contains the key itself.
      throw new ConfigException(root.path(key), e.getMessage());
    }
  }

  /** How long a retired generated key stays published: the longest token lifetime plus the verifiers' skew. */
  public Duration retiredKeyPublication() {
    return AccessTokenIssuer.MAX_TOKEN_LIFETIME.plus(tokenClockSkew).plusMinutes(1);
  }

  @Override
  public String toString() {
    return "IdentityConfig[" + accessKeys.size() + " access keys (redacted), resourceId=" + resourceId + ", issuer="
        + issuer + ", audience=" + audience + ", algorithm=" + algorithm + "]";
  }
}
