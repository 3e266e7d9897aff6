package io.tonegate.presence;

/**
 * Redis key and channel names of the presence feature. Everything one user's script touches shares the hash tag
 * {@code {<user>}}, so the script (and the sharded channel it publishes on) stays in one Cluster slot.
 */
public final class PresenceKeys {

  private final String prefix;

  public PresenceKeys(String keyPrefix) {
    this.prefix = keyPrefix + "presence:";
  }

  /** The user's state hash: effective presence, version, source layers. */
  public String state(String user) {
    return prefix + "{" + user + "}";
  }

  /** The user's live calls (call-source layer). */
  public String calls(String user) {
    return prefix + "{" + user + "}:calls";
  }

  /** The user's topic: one pub/sub channel per user. */
  public String channel(String user) {
    return prefix + "ch:{" + user + "}";
  }

  /** The user named by a channel from {@link #channel}, or null for a foreign channel. */
  public String userOfChannel(String channel) {
    String head = prefix + "ch:{";
    if (!channel.startsWith(head) || !channel.endsWith("}")) {
      return null;
    }
    return channel.substring(head.length(), channel.length() - 1);
  }

  /** A group's claim on one version of one user's presence (competing consumers). */
  public String groupClaim(String group, String user, long version) {
    return prefix + "claim:{" + user + "}:" + group + ":" + version;
  }

  /** Users with a pending debounced change or a layer expiry, scored by when to recompute them (ms). */
  public String due() {
    return prefix + "due";
  }

  /** Users registered for polling: hash user -> registration JSON (refresh tokens encrypted). */
  public String pollUsers() {
    return prefix + "poll:users";
  }

  /** The poller's cached application access token (encrypted). */
  public String pollToken() {
    return prefix + "poll:token";
  }

  /** The lease that makes one gateway instance the poller and sweeper. */
  public String lease() {
    return prefix + "lease";
  }
}
