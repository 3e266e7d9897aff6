package io.tonegate.presence;

/**
 * A published presence state of one user: what subscribers receive, on change and as a snapshot.
 *
 * @param user        the user id
 * @param presence    the effective presence
 * @param version     per-user, monotonically increasing; 0 means "never published" (a snapshot of the fallback)
 * @param source      the layer that produced it ({@code manual}, {@code call}, {@code poll}, or {@code fallback})
 * @param publishedAt epoch milliseconds when the version was published (0 for version 0)
 */
public record PresenceChange(String user, Presence presence, long version, String source, long publishedAt) {

  /** True when this state supersedes {@code other} of the same user. */
  public boolean newerThan(long otherVersion) {
    return version > otherVersion;
  }
}
