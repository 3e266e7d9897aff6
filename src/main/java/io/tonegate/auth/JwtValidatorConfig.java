package io.tonegate.auth;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One use of {@link JwtValidator} (ACS media tokens, Event Grid Entra tokens, OIDC bearer tokens, ...): who may
 * issue, for whom, with which keys.
 *
 * <p>Read with {@link #from(ConfigTree, ConfigTree)} from the use's own section (keys {@code issuer},
 * {@code audiences}, {@code jwksUrl} | {@code jwksFile} | {@code discoveryUrl}, {@code algorithms}) over the shared
 * {@code auth} section, whose timing keys ({@code clockSkew}, {@code maxTokenLength}, {@code jwks.refreshInterval},
 * {@code jwks.minRefreshInterval}, {@code jwks.fetchTimeout}) the use's section may override with the same names
 * at its top level.
 *
 * @param issuer       required {@code iss}; empty accepts any issuer (only sensible with a private key set)
 * @param audiences    {@code aud} must contain one of these; empty accepts any audience
 * @param jwksUrl      keys from a JWKS URL
 * @param jwksFile     keys from a local JWKS file
 * @param discoveryUrl keys from the {@code jwks_uri} of an OpenID discovery document
 */
public record JwtValidatorConfig(
    Optional<String> issuer,
    List<String> audiences,
    Optional<URI> jwksUrl,
    Optional<Path> jwksFile,
    Optional<URI> discoveryUrl,
    Set<JwsAlgorithm> algorithms,
    Duration clockSkew,
    int maxTokenLength,
    Duration refreshInterval,
    Duration minRefreshInterval,
    Duration fetchTimeout) {

  public JwtValidatorConfig {
    algorithms = Set.copyOf(algorithms);
    audiences = List.copyOf(audiences);
  }

  /** True when exactly one key location is configured. */
  public boolean hasKeySource() {
    return jwksUrl.isPresent() || jwksFile.isPresent() || discoveryUrl.isPresent();
  }

  public static JwtValidatorConfig from(ConfigTree use, ConfigTree authDefaults) {
    ConfigTree jwks = authDefaults.section("jwks");
    Optional<URI> jwksUrl = url(use, "jwksUrl");
    Optional<Path> jwksFile = use.has("jwksFile") ? use.optionalString("jwksFile").map(Path::of) : Optional.empty();
    Optional<URI> discovery = url(use, "discoveryUrl");
    int sources = (jwksUrl.isPresent() ? 1 : 0) + (jwksFile.isPresent() ? 1 : 0) + (discovery.isPresent() ? 1 : 0);
    if (sources > 1) {
      throw new ConfigException(use.path("jwksUrl"), "set only one of jwksUrl, jwksFile and discoveryUrl");
    }
    Set<JwsAlgorithm> algorithms = EnumSet.noneOf(JwsAlgorithm.class);
    for (String name : use.strings("algorithms")) {
      algorithms.add(JwsAlgorithm.fromJwsName(name.toUpperCase(java.util.Locale.ROOT)).orElseThrow(() ->
          new ConfigException(use.path("algorithms"), "must list only RS256 and ES256 ('" + name
              + "' is not accepted: none and HS* are never allowed for external tokens)")));
    }
    if (algorithms.isEmpty()) {
      throw new ConfigException(use.path("algorithms"), "must list at least one of RS256, ES256");
    }
    ConfigTree skewFrom = use.has("clockSkew") ? use : authDefaults;
    ConfigTree lengthFrom = use.has("maxTokenLength") ? use : authDefaults;
    return new JwtValidatorConfig(
        use.has("issuer") ? use.optionalString("issuer") : Optional.empty(),
        use.has("audiences") ? use.strings("audiences") : List.of(),
        jwksUrl, jwksFile, discovery, algorithms,
        skewFrom.duration("clockSkew", Duration.ZERO, Duration.ofMinutes(10)),
        lengthFrom.intValue("maxTokenLength", 512, 65_536),
        (use.has("refreshInterval") ? use : jwks).duration("refreshInterval", Duration.ofMinutes(1), Duration.ofDays(7)),
        (use.has("minRefreshInterval") ? use : jwks).duration("minRefreshInterval", Duration.ZERO, Duration.ofHours(1)),
        (use.has("fetchTimeout") ? use : jwks).duration("fetchTimeout", Duration.ofMillis(100), Duration.ofMinutes(1)));
  }

  /** This config with another audience list (e.g. the dev audience added in dev mode). */
  public JwtValidatorConfig withAudiences(List<String> newAudiences) {
    return new JwtValidatorConfig(issuer, newAudiences, jwksUrl, jwksFile, discoveryUrl, algorithms, clockSkew,
        maxTokenLength, refreshInterval, minRefreshInterval, fetchTimeout);
  }

  private static Optional<URI> url(ConfigTree use, String key) {
    if (!use.has(key)) {
      return Optional.empty();
    }
    Optional<String> raw = use.optionalString(key);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    if (!raw.get().matches("https?://[^\\s]+")) {
      throw new ConfigException(use.path(key), "must be an http(s) URL, got '" + raw.get() + "'");
    }
    try {
      return Optional.of(URI.create(raw.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(use.path(key), "is not a valid URL: " + e.getMessage());
    }
  }
}
