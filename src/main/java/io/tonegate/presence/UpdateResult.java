package io.tonegate.presence;

/**
 * What one run of the update script decided.
 *
 * @param outcome    unchanged (no publication), published, or deferred by the debounce window
 * @param version    the user's current published version (the new one when published)
 * @param dueAt      when deferred: the end of the debounce window (epoch ms), else 0
 * @param nextExpiry the earliest future expiry among the user's source layers (epoch ms), 0 for none
 */
public record UpdateResult(Outcome outcome, long version, long dueAt, long nextExpiry) {

  public enum Outcome { UNCHANGED, PUBLISHED, DEFERRED }

  /** The next time this user must be recomputed (debounce end or layer expiry), 0 for never. */
  public long nextDue() {
    if (dueAt > 0 && nextExpiry > 0) {
      return Math.min(dueAt, nextExpiry);
    }
    return Math.max(dueAt, nextExpiry);
  }
}
