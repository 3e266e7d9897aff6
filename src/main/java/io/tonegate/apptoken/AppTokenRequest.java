package io.tonegate.apptoken;

import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenScope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /api/token}, all fields optional:
 * {@code {"scopes": ["voip"], "expiresInMinutes": 60, "grants": {"media": {"callConnectionId": "..."}}}}.
 * Parsed and checked against the configuration (not yet against the user's policy). Pure Java.
 *
 * @param scopes   the scopes asked for (the configured default when the body names none)
 * @param validity the token's validity
 * @param grants   the narrowing grants ({@link TokenGrants#NONE} when none)
 */
record AppTokenRequest(Set<TokenScope> scopes, Duration validity, TokenGrants grants) {

  /**
   * Parses a body already decoded to plain maps and lists ({@code null} or an empty map for an empty body).
   *
   * @throws IllegalArgumentException with a message fit for a 400 answer
   */
  static AppTokenRequest parse(Map<String, Object> body, AppTokenConfig config) {
    Map<String, Object> fields = body == null ? Map.of() : body;
    for (String name : fields.keySet()) {
      if (!List.of("scopes", "expiresInMinutes", "grants").contains(name)) {
        throw new IllegalArgumentException("Unknown field '" + (name.length() > 40 ? name.substring(0, 40) : name)
            + "'. Known fields: scopes, expiresInMinutes, grants.");
      }
    }
    Set<TokenScope> scopes = fields.get("scopes") == null ? EnumSet.copyOf(config.defaultScopes())
        : scopes(fields.get("scopes"));
    int minutes = minutes(fields.get("expiresInMinutes"), config);
    TokenGrants grants = TokenGrants.parse(fields.get("grants"));
    if (grants.mediaCallConnectionId().isPresent() && !scopes.contains(TokenScope.MEDIA)) {
      throw new IllegalArgumentException("A media grant needs the media scope.");
    }
    if (grants.presenceUsers().isPresent()
        && !(scopes.contains(TokenScope.PRESENCE_READ) || scopes.contains(TokenScope.PRESENCE_WRITE))) {
      throw new IllegalArgumentException("A presence grant needs the presence.read or presence.write scope.");
    }
    if (config.mediaRequiresGrant() && scopes.contains(TokenScope.MEDIA)
        && grants.mediaCallConnectionId().isEmpty()) {
      throw new IllegalArgumentException("The media scope needs a media grant: "
          + "grants.media.callConnectionId names the one call the token may open.");
    }
    return new AppTokenRequest(scopes, Duration.ofMinutes(minutes), grants);
  }

  private static Set<TokenScope> scopes(Object value) {
    if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > TokenScope.values().length * 2) {
      throw new IllegalArgumentException("The scopes field must be a non-empty array of scope names.");
    }
    List<String> names = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException("The scopes field must be a non-empty array of scope names.");
      }
      names.add(s);
    }
    return TokenScope.parseAll(names);
  }

  private static int minutes(Object value, AppTokenConfig config) {
    if (value == null) {
      return config.defaultExpiresInMinutes();
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException("The expiresInMinutes value must be a whole number of minutes.");
    }
    double minutes = n.doubleValue();
    if (minutes < 60 || minutes > config.maxExpiresInMinutes()) {
      throw new IllegalArgumentException("The expiresInMinutes value must be within the range 60 to "
          + config.maxExpiresInMinutes() + " minutes.");
    }
    return (int) minutes;
  }
}
