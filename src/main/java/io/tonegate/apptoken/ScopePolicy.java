package io.tonegate.apptoken;

import io.tonegate.identity.TokenScope;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which scopes a signed-in user may receive, from the claims of their OIDC token: a list of rules, each granting
 * scopes to everyone (no claim) or to users whose claim holds one of the listed values. The allowed set is the
 * union of every matching rule. Pure Java, immutable.
 *
 * <pre>
 * - scopes: [voip]                                          # everyone
 * - claim: roles             anyOf: [agent]   scopes: [pstn, presence.read]
 * - claim: realm_access.roles anyOf: [ops]    scopes: [media]   provider: keycloak
 * </pre>
 *
 * Claim values are read as a string (split on spaces, as OAuth's {@code scope}/{@code scp} claims are), a list of
 * strings, or a single boolean/number. A claim name is first looked up as written (Auth0 namespaces custom claims as
 * URLs, with dots), then as a dotted path into nested objects (Keycloak's {@code realm_access.roles}).
 */
public final class ScopePolicy {

  /** One rule: to users of {@code provider} (any when empty) whose {@code claim} holds one of {@code anyOf}. */
  public record Rule(Optional<String> provider, Optional<String> claim, Set<String> anyOf, Set<TokenScope> scopes) {

    public Rule {
      Objects.requireNonNull(provider);
      Objects.requireNonNull(claim);
      anyOf = Set.copyOf(anyOf);
      scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
      if (claim.isPresent() == anyOf.isEmpty()) {
        throw new IllegalArgumentException("a rule with a claim needs anyOf values, and anyOf needs a claim");
      }
    }

    /** A rule for every user. */
    public static Rule everyone(Collection<TokenScope> scopes) {
      return new Rule(Optional.empty(), Optional.empty(), Set.of(), EnumSet.copyOf(scopes));
    }

    /** A rule for users whose {@code claim} holds one of {@code anyOf}. */
    public static Rule when(String claim, Collection<String> anyOf, Collection<TokenScope> scopes) {
      return new Rule(Optional.empty(), Optional.of(claim), Set.copyOf(anyOf), EnumSet.copyOf(scopes));
    }

    boolean matches(String providerName, Map<String, Object> claims) {
      if (provider.isPresent() && !provider.get().equals(providerName)) {
        return false;
      }
      if (claim.isEmpty()) {
        return true;
      }
      for (String value : claimValues(claims, claim.get())) {
        if (anyOf.contains(value)) {
          return true;
        }
      }
      return false;
    }
  }

  private final List<Rule> rules;

  public ScopePolicy(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The scopes this user may receive: the union over every matching rule (empty when none matches). */
  public Set<TokenScope> allowed(String provider, Map<String, Object> claims) {
    Set<TokenScope> allowed = EnumSet.noneOf(TokenScope.class);
    for (Rule rule : rules) {
      if (rule.matches(provider, claims)) {
        allowed.addAll(rule.scopes());
      }
    }
    return allowed;
  }

  /** The requested scopes this user may not receive (empty: all allowed). */
  public Set<TokenScope> denied(String provider, Map<String, Object> claims, Set<TokenScope> requested) {
    Set<TokenScope> denied = requested.isEmpty() ? EnumSet.noneOf(TokenScope.class) : EnumSet.copyOf(requested);
    denied.removeAll(allowed(provider, claims));
    return denied;
  }

  /** The string values of a claim (see the class comment); empty when absent or of another type. */
  static List<String> claimValues(Map<String, Object> claims, String name) {
    Object value = claims.containsKey(name) ? claims.get(name) : path(claims, name);
    if (value instanceof String s) {
      return List.of(s.trim().split("\\s+"));
    }
    if (value instanceof Collection<?> list) {
      return list.stream().filter(v -> v instanceof String || v instanceof Number || v instanceof Boolean)
          .map(String::valueOf).toList();
    }
    if (value instanceof Number || value instanceof Boolean) {
      return List.of(String.valueOf(value));
    }
    return List.of();
  }

  private static Object path(Map<String, Object> claims, String dotted) {
    Object current = claims;
    for (String part : dotted.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }
}
