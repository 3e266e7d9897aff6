package io.tonegate.media;

/**
 * Merges one call's digits from the three sources ({@link DigitSource}) without double counting. The rule
 * (also in {@code docs/media.md}):
 * <blockquote>
 * A digit offered by source S is a <em>duplicate</em> when an already reported press of the same key, reported
 * by another source and not yet matched by S, was reported less than {@code window} before. It then matches
 * that press (the oldest such press) and is dropped. Otherwise it is a new press. A source never duplicates
 * itself, so "1 1" typed quickly from one source is two presses; the same press seen in-band, in DtmfData and in a
 * callback is one.
 * </blockquote>
 * Pure and single-threaded (the session's event loop); times are the caller's monotonic milliseconds.
 */
public final class DigitMerger {

  private static final int CAPACITY = 32;

  private final long windowMs;
  private final char[] digits = new char[CAPACITY];
  private final long[] times = new long[CAPACITY];
  private final int[] sources = new int[CAPACITY]; // bit per DigitSource that reported or matched the press
  private int head;   // oldest
  private int size;

  public DigitMerger(long windowMs) {
    this.windowMs = windowMs;
  }

  /** Returns true when the digit is a new press (report it), false when it duplicates one already reported. */
  public boolean offer(char digit, DigitSource source, long nowMs) {
    while (size > 0 && nowMs - times[head] > windowMs) {
      head = (head + 1) % CAPACITY;
      size--;
    }
    int bit = 1 << source.ordinal();
    for (int i = 0; i < size; i++) {
      int slot = (head + i) % CAPACITY;
      if (digits[slot] == digit && (sources[slot] & bit) == 0) {
        sources[slot] |= bit;
        return false;
      }
    }
    if (size == CAPACITY) {
      head = (head + 1) % CAPACITY;
      size--;
    }
    int slot = (head + size) % CAPACITY;
    digits[slot] = digit;
    times[slot] = nowMs;
    sources[slot] = bit;
    size++;
    return true;
  }
}
