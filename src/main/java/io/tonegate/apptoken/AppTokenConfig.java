package io.tonegate.apptoken;

import io.tonegate.auth.JwtValidatorConfig;
import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;
import io.tonegate.identity.AccessTokenIssuer;
import io.tonegate.identity.TokenScope;
import io.tonegate.ratelimit.RateLimit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code appToken} section of conf/tonegate.yaml (where every default is written and explained): the OIDC
 * providers whose users may get tokens at {@code POST /api/token}, the scope policy, expiry, and rate limits.
 *
 * @param enabled                  whether the route is served
 * @param providers                the accepted OIDC providers (at least one when enabled)
 * @param policy                   claims to allowed scopes
 * @param defaultScopes            scopes asked for when a request names none (still checked against the policy)
 * @param mediaRequiresGrant       a token with scope {@code media} must carry a media grant (one call connection)
 * @param defaultExpiresInMinutes  validity when a request gives none
 * @param maxExpiresInMinutes      the longest validity a request may ask for
 * @param maxBodySize              largest request body in bytes
 * @param perUser                  requests per signed-in user (all instances)
 * @param perIp                    requests per client IP address (all instances), checked before the token
 * @param rateLimitFailOpen        when the limiter's Redis fails: let requests through (true) or answer 503
 */
public record AppTokenConfig(
    boolean enabled,
    List<Provider> providers,
    ScopePolicy policy,
    Set<TokenScope> defaultScopes,
    boolean mediaRequiresGrant,
    int defaultExpiresInMinutes,
    int maxExpiresInMinutes,
    int maxBodySize,
    RateLimit perUser,
    RateLimit perIp,
    boolean rateLimitFailOpen) {

  /** Provider names become metric tags ({@code validator=apptoken-<name>}): short and fixed. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
  /** With the 255-character subject, the user's customId ({@code oidc|<issuer>|<subject>}) stays within 512. */
  static final int MAX_ISSUER_LENGTH = 250;

  /**
   * One OIDC provider.
   *
   * @param name         short name (logs, metric tag, policy rules)
   * @param validator    issuer, audiences, keys and algorithms, checked by the shared {@code JwtValidator}
   * @param subjectClaim the claim naming the user (with the issuer, the user's identity); {@code sub} by default,
   *                     {@code oid} for Entra ID tenants whose users sign in to several apps
   */
  public record Provider(String name, JwtValidatorConfig validator, String subjectClaim) {
    public String issuer() {
      return validator.issuer().orElseThrow();
    }
  }

  public static AppTokenConfig from(ConfigTree root) {
    ConfigTree section = root.section("appToken");
    ConfigTree auth = root.section("auth");
    boolean enabled = section.bool("enabled");

    List<Provider> providers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigTree p : section.sections("providers")) {
      String name = p.nonEmptyString("name");
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(p.path("name"), "must be 1-31 lower-case letters, digits or '-', got '" + name + "'");
      }
      if (!names.add(name)) {
        throw new ConfigException(p.path("name"), "is used by two providers");
      }
      JwtValidatorConfig validator = JwtValidatorConfig.from(p, auth);
      if (validator.issuer().isEmpty()) {
        throw new ConfigException(p.path("issuer"), "must be set: the issuer is half of every user's identity");
      }
      if (validator.issuer().get().length() > MAX_ISSUER_LENGTH) {
        throw new ConfigException(p.path("issuer"), "must be at most " + MAX_ISSUER_LENGTH + " characters");
      }
      if (validator.issuer().get().contains("|")) {
        throw new ConfigException(p.path("issuer"), "must not contain '|' (it separates issuer and subject in the "
            + "user's customId)");
      }
      if (!validator.hasKeySource()) {
        throw new ConfigException(p.path("discoveryUrl"), "set one of discoveryUrl, jwksUrl, jwksFile");
      }
      if (validator.audiences().isEmpty()) {
        throw new ConfigException(p.path("audiences"),
            "must list this API's audience: without it a token minted for any other app of the provider is accepted");
      }
      String subjectClaim = p.has("subjectClaim") ? p.nonEmptyString("subjectClaim") : "sub";
      providers.add(new Provider(name, validator, subjectClaim));
    }
    Set<String> issuers = new HashSet<>();
    for (Provider provider : providers) {
      if (!issuers.add(provider.issuer())) {
        throw new ConfigException(section.path("providers"), "two providers have issuer " + provider.issuer());
      }
    }
    if (enabled && providers.isEmpty()) {
      throw new ConfigException(section.path("providers"), "must list at least one OIDC provider when enabled");
    }

    List<ScopePolicy.Rule> rules = new ArrayList<>();
    for (ConfigTree r : section.sections("policy")) {
      Optional<String> provider = r.has("provider") ? r.optionalString("provider") : Optional.empty();
      if (provider.isPresent() && !names.contains(provider.get())) {
        throw new ConfigException(r.path("provider"), "names no configured provider: '" + provider.get() + "'");
      }
      Optional<String> claim = r.has("claim") ? r.optionalString("claim") : Optional.empty();
      List<String> anyOf = r.has("anyOf") ? r.strings("anyOf") : List.of();
      if (claim.isPresent() != !anyOf.isEmpty()) {
        throw new ConfigException(r.path(claim.isPresent() ? "anyOf" : "claim"),
            "a rule with a claim needs anyOf values, and anyOf needs a claim");
      }
      rules.add(new ScopePolicy.Rule(provider, claim, Set.copyOf(anyOf), scopes(r, "scopes")));
    }

    int defaultMinutes = section.intValue("expiresInMinutes", AccessTokenIssuer.MIN_EXPIRES_IN_MINUTES,
        AccessTokenIssuer.MAX_EXPIRES_IN_MINUTES);
    int maxMinutes = section.intValue("maxExpiresInMinutes", AccessTokenIssuer.MIN_EXPIRES_IN_MINUTES,
        AccessTokenIssuer.MAX_EXPIRES_IN_MINUTES);
    if (defaultMinutes > maxMinutes) {
      throw new ConfigException(section.path("expiresInMinutes"), "must not exceed maxExpiresInMinutes (" + maxMinutes
          + ")");
    }
    Set<TokenScope> defaults = scopes(section, "defaultScopes");
    if (defaults.isEmpty()) {
      throw new ConfigException(section.path("defaultScopes"), "must name at least one scope");
    }
    ConfigTree limits = section.section("rateLimits");
    return new AppTokenConfig(enabled, List.copyOf(providers), new ScopePolicy(rules), defaults,
        section.bool("mediaRequiresGrant"), defaultMinutes, maxMinutes, section.intValue("maxBodySize", 256, 1 << 20),
        RateLimit.from(limits.section("perUser")), RateLimit.from(limits.section("perIp")), limits.bool("failOpen"));
  }

  private static Set<TokenScope> scopes(ConfigTree tree, String key) {
    try {
      return TokenScope.parseAll(tree.strings(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(tree.path(key), e.getMessage());
    }
  }

}
