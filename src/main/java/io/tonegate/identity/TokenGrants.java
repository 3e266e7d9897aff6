package io.tonegate.identity;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Grants narrow a Tonegate access token to named resources, as room grants do on other platforms: a media token for
 * one call connection, a presence token for a list of users. The one place that writes, parses and checks them;
 * the media and presence admissions call {@link #fromToken(VerifiedToken)} and {@link #permitsMedia(String)} /
 * {@link #permitsPresenceUser(String)}. Pure Java, thread-safe (immutable).
 *
 * <p>In the token (claim {@value #CLAIM}) and in a request body ({@code grants}) the format is the same:
 * <pre>
 * "tg.grants": {"media": {"callConnectionId": "401f3500-..."}, "presence": {"users": ["8:acs:...", "8:acs:..."]}}
 * </pre>
 * <ul>
 *   <li>{@code media}: a media token opens {@code /ws/media} only for this call connection. A token with scope
 *       {@code media} and no media grant opens no call at all: media tokens must be bound to a call.</li>
 *   <li>{@code presence}: a presence token sees (and, with {@code presence.write}, sets) only these users. Without
 *       a presence grant the token is not narrowed (every user may be read; its own identity written).</li>
 * </ul>
 * Unknown grant names or fields are refused (400 on a request; a token we never mint), so a client never believes a
 * token narrower than it is.
 *
 * @param mediaCallConnectionId the one call connection a media token may open, if granted
 * @param presenceUsers the only users a presence token may see, if granted
 */
public record TokenGrants(Optional<String> mediaCallConnectionId, Optional<Set<String>> presenceUsers) {

  /** The claim holding the grants in a Tonegate access token. */
  public static final String CLAIM = "tg.grants";
  /** Most users one presence grant may list (keeps tokens small: about 60 bytes per user). */
  public static final int MAX_PRESENCE_USERS = 50;
  /**
   * Most characters of all listed user ids together: keeps a token well under the verifier's 8 KiB limit and
   * the 8 KiB HTTP header limit it travels in.
   */
  public static final int MAX_PRESENCE_CHARS = 2048;
  /** No grants: the token is narrowed by its scopes only. */
  public static final TokenGrants NONE = new TokenGrants(Optional.empty(), Optional.empty());

  /** Call connection ids (ACS uses GUID-like ids) and user ids: printable, no spaces or quotes, bounded. */
  private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9._:+/=-]{1,256}");
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._:+/=@-]{1,160}");

  public TokenGrants {
    Objects.requireNonNull(mediaCallConnectionId, "mediaCallConnectionId");
    Objects.requireNonNull(presenceUsers, "presenceUsers");
    presenceUsers = presenceUsers.map(users -> Set.copyOf(new LinkedHashSet<>(users)));
  }

  /** A media grant for one call connection. */
  public static TokenGrants media(String callConnectionId) {
    return new TokenGrants(Optional.of(callConnectionId), Optional.empty());
  }

  /** A presence grant for these users. */
  public static TokenGrants presence(Collection<String> users) {
    return new TokenGrants(Optional.empty(), Optional.of(Set.copyOf(users)));
  }

  public boolean isEmpty() {
    return mediaCallConnectionId.isEmpty() && presenceUsers.isEmpty();
  }

  /**
   * Whether a media token with these grants may open the media WebSocket of {@code callConnectionId}: only when it
   * holds a media grant for exactly that call.
   */
  public boolean permitsMedia(String callConnectionId) {
    return callConnectionId != null && mediaCallConnectionId.map(callConnectionId::equals).orElse(false);
  }

  /** Whether a presence token with these grants may see (or set) {@code user}: yes unless a grant lists others. */
  public boolean permitsPresenceUser(String user) {
    return presenceUsers.map(users -> users.contains(user)).orElse(true);
  }

  /**
   * The grants of a verified Tonegate token ({@link TokenGrants#NONE} when it has none).
   *
   * @throws TokenRejectedException {@link TokenRejection#INVALID_CLAIMS} when the claim is malformed
   */
  public static TokenGrants fromToken(VerifiedToken token) {
    return fromClaims(token.claims());
  }

  /**
   * The grants in a token's claims, as {@link AccessTokenVerifier} parses them (maps, lists, strings).
   *
   * @throws TokenRejectedException {@link TokenRejection#INVALID_CLAIMS} when the claim is malformed
   */
  public static TokenGrants fromClaims(Map<String, Object> claims) {
    Object value = claims.get(CLAIM);
    if (value == null) {
      return NONE;
    }
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new TokenRejectedException(TokenRejection.INVALID_CLAIMS, "malformed " + CLAIM + ": " + e.getMessage());
    }
  }

  /**
   * Parses the grants object of a request body or token: plain {@code Map}/{@code List}/{@code String} values as
   * JSON parsers produce them (Jackson, {@link JwtJson}; for a Vert.x {@code JsonObject}, decode it to a
   * {@code Map}). {@code null} means no grants.
   *
   * @throws IllegalArgumentException with a message fit for a 400 answer
   */
  public static TokenGrants parse(Object grants) {
    if (grants == null) {
      return NONE;
    }
    Map<?, ?> map = asMap(grants, "grants");
    Optional<String> media = Optional.empty();
    Optional<Set<String>> presence = Optional.empty();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String name = String.valueOf(entry.getKey());
      switch (name) {
        case "media" -> {
          Map<?, ?> m = asMap(entry.getValue(), "grants.media");
          onlyFields(m, "grants.media", "callConnectionId");
          if (!(m.get("callConnectionId") instanceof String id) || !CALL_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("grants.media.callConnectionId must be a call connection id "
                + "(1-256 letters, digits or ._:+/=-)");
          }
          media = Optional.of(id);
        }
        case "presence" -> {
          Map<?, ?> p = asMap(entry.getValue(), "grants.presence");
          onlyFields(p, "grants.presence", "users");
          if (!(p.get("users") instanceof List<?> list) || list.isEmpty() || list.size() > MAX_PRESENCE_USERS) {
            throw new IllegalArgumentException("grants.presence.users must list 1 to " + MAX_PRESENCE_USERS
                + " user ids");
          }
          Set<String> users = new LinkedHashSet<>();
          for (Object user : list) {
            if (!(user instanceof String s) || !USER_ID.matcher(s).matches()) {
              throw new IllegalArgumentException("grants.presence.users must hold user ids (1-160 letters, digits "
                  + "or ._:+/=@-)");
            }
            users.add(s);
          }
          if (users.stream().mapToInt(String::length).sum() > MAX_PRESENCE_CHARS) {
            throw new IllegalArgumentException("grants.presence.users must hold at most " + MAX_PRESENCE_CHARS
                + " characters of user ids in all");
          }
          presence = Optional.of(users);
        }
        default -> throw new IllegalArgumentException("unknown grant '" + truncate(name)
            + "' (known: media, presence)");
      }
    }
    return new TokenGrants(media, presence);
  }

  /** The claim value as JSON whose base64url form stays SDK-safe (see {@link JwtJson}). */
  String toClaimJson() {
    JwtJson.ObjectWriter out = new JwtJson.ObjectWriter();
    mediaCallConnectionId.ifPresent(id ->
        out.rawField("media", new JwtJson.ObjectWriter().field("callConnectionId", id).toJson()));
    presenceUsers.ifPresent(users ->
        out.rawField("presence", new JwtJson.ObjectWriter().field("users", users.stream().sorted().toList()).toJson()));
    return out.toJson();
  }

  /** The grants as plain maps and lists, e.g. for a JSON response. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    mediaCallConnectionId.ifPresent(id -> out.put("media", Map.of("callConnectionId", id)));
    presenceUsers.ifPresent(users -> out.put("presence", Map.of("users", users.stream().sorted().toList())));
    return out;
  }

  private static Map<?, ?> asMap(Object value, String what) {
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    throw new IllegalArgumentException(what + " must be an object");
  }

  private static void onlyFields(Map<?, ?> map, String what, String allowed) {
    for (Object key : map.keySet()) {
      if (!allowed.equals(key)) {
        throw new IllegalArgumentException("unknown field '" + truncate(String.valueOf(key)) + "' in " + what);
      }
    }
  }

  private static String truncate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
