package io.tonegate.identity;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The scopes a Tonegate access token can carry, by their wire names ({@code createTokenWithScopes}, {@code scopes},
 * and the token's comma-separated {@code acsScope} claim).
 *
 * <p>The first five are ACS's own (acs-wire.md §4.5); the rest are Tonegate's. The {@code scp} claim is a bitmask
 * of {@link #bit()}s. Only {@code chat} = 1792 was observed in a real ACS token; the other bits are Tonegate's own
 * assignment, so consumers should read {@code acsScope}, which is authoritative.
 */
public enum TokenScope {
  /** ACS chat. */
  CHAT("chat", 0x700),
  /** ACS calling (VoIP). */
  VOIP("voip", 0x1),
  /** ACS: join existing chats only. */
  CHAT_JOIN("chat.join", 0x2),
  /** ACS: join existing chats only, without managing participants. */
  CHAT_JOIN_LIMITED("chat.join.limited", 0x4),
  /** ACS: join existing calls only. */
  VOIP_JOIN("voip.join", 0x8),
  /** Tonegate: PSTN calling through the gateway. */
  PSTN("pstn", 0x10),
  /** Tonegate: connect to the media WebSocket ({@code /ws/media}). */
  MEDIA("media", 0x20),
  /** Tonegate: subscribe to presence ({@code /ws/presence}). */
  PRESENCE_READ("presence.read", 0x40),
  /** Tonegate: publish one's own presence. */
  PRESENCE_WRITE("presence.write", 0x80),
  /** Tonegate: read DTMF authentication sessions ({@code /api/sessions}). */
  SESSIONS_READ("sessions.read", 0x800),
  /** Tonegate: create and consume DTMF authentication sessions ({@code /api/sessions}). */
  SESSIONS_WRITE("sessions.write", 0x1000);

  private final String wireName;
  private final int bit;

  TokenScope(String wireName, int bit) {
    this.wireName = wireName;
    this.bit = bit;
  }

  public String wireName() {
    return wireName;
  }

  /** This scope's bits in the {@code scp} claim. */
  public int bit() {
    return bit;
  }

  /** The scope with this wire name (case-insensitive), or empty. */
  public static Optional<TokenScope> fromWireName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String lower = name.trim().toLowerCase(Locale.ROOT);
    for (TokenScope scope : values()) {
      if (scope.wireName.equals(lower)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }

  /**
   * Parses a list of wire names, dropping duplicates.
   *
   * @throws IllegalArgumentException naming the first unknown scope
   */
  public static Set<TokenScope> parseAll(Collection<String> names) {
    Set<TokenScope> scopes = EnumSet.noneOf(TokenScope.class);
    for (String name : names) {
      scopes.add(fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
          "Unknown scope '" + truncate(name) + "'. Known scopes: " + wireNames(List.of(values())) + ".")));
    }
    return scopes;
  }

  /** Wire names joined with commas, in declaration order (the {@code acsScope} claim format). */
  public static String wireNames(Collection<TokenScope> scopes) {
    return scopes.stream().sorted().map(TokenScope::wireName).collect(Collectors.joining(","));
  }

  /** The {@code scp} bitmask of a scope set. */
  public static int bitmask(Collection<TokenScope> scopes) {
    int mask = 0;
    for (TokenScope scope : scopes) {
      mask |= scope.bit;
    }
    return mask;
  }

  private static String truncate(String name) {
    String s = String.valueOf(name);
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
