package io.tonegate.presence;

import java.util.Optional;
import java.util.Set;

/**
 * Who is asking, and which users they may read or write.
 *
 * @param principal the identity of the token, or the service name for HMAC-signed requests
 * @param service   true for service credentials (HMAC): may write any user
 * @param users     when present, the only users this principal may see or set: the hook for app tokens with
 *                  "grants" (a presence token restricted to a list of users); empty means no restriction
 */
public record PresenceGrant(String principal, boolean service, Optional<Set<String>> users) {

  public static PresenceGrant user(String identity) {
    return new PresenceGrant(identity, false, Optional.empty());
  }

  public static PresenceGrant service(String name) {
    return new PresenceGrant(name, true, Optional.empty());
  }

  /** The same principal restricted to {@code allowed} users. */
  public PresenceGrant restrictedTo(Set<String> allowed) {
    return new PresenceGrant(principal, service, Optional.of(Set.copyOf(allowed)));
  }

  /** Subscription authorization: every user, unless the grant lists users. */
  public boolean mayRead(String user) {
    return users.map(list -> list.contains(user)).orElse(true);
  }

  /** Writes: a service may set anyone (within its grant list); a user token only its own identity. */
  public boolean mayWrite(String user) {
    if (!mayRead(user)) {
      return false;
    }
    return service || principal.equals(user);
  }
}
