package io.tonegate.presence;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounded outgoing queue of one subscriber. Up to {@code capacity} entries it is a plain FIFO, so a subscriber
 * that keeps up sees every version. When it is full, it switches to coalescing: only the latest entry per user is
 * kept (presence is state, not history), so its size is then bounded by the number of users subscribed, not by the
 * publication rate. It returns to FIFO once drained.
 *
 * <p>Entries with a {@code null} key (replies to the client's own requests) are never coalesced; the caller bounds
 * them ({@link #unkeyed()}). Pure and single-threaded: used only on the subscriber's event loop.
 *
 * @param <T> the queued message
 */
public final class SubscriberQueue<T> {

  private record Entry<T>(String key, T item) {
  }

  private final int capacity;
  private final ArrayDeque<Entry<T>> fifo = new ArrayDeque<>();
  /** Coalescing mode: latest per key, in order of first arrival; unkeyed entries under unique synthetic keys. */
  private LinkedHashMap<Object, Entry<T>> latest;
  private int unkeyed;

  public SubscriberQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /**
   * Queues {@code item} for {@code key}.
   *
   * @return how many queued entries this made obsolete (0 while the queue is a FIFO)
   */
  public int offer(String key, T item) {
    Entry<T> entry = new Entry<>(key, item);
    if (key == null) {
      unkeyed++;
    }
    if (latest == null) {
      if (fifo.size() < capacity) {
        fifo.add(entry);
        return 0;
      }
      return coalesce(entry);
    }
    return put(entry);
  }

  private int coalesce(Entry<T> incoming) {
    latest = new LinkedHashMap<>();
    int dropped = 0;
    for (Entry<T> entry : fifo) {
      dropped += put(entry);
    }
    fifo.clear();
    return dropped + put(incoming);
  }

  private int put(Entry<T> entry) {
    if (entry.key() == null) {
      latest.put(new Object(), entry);
      return 0;
    }
    return latest.put(entry.key(), entry) == null ? 0 : 1;
  }

  /** The next entry to write, or null when empty. */
  public T poll() {
    Entry<T> entry;
    if (latest == null) {
      entry = fifo.poll();
    } else {
      Iterator<Map.Entry<Object, Entry<T>>> it = latest.entrySet().iterator();
      entry = it.hasNext() ? it.next().getValue() : null;
      if (entry != null) {
        it.remove();
      }
      if (latest.isEmpty()) {
        latest = null;
      }
    }
    if (entry != null && entry.key() == null) {
      unkeyed--;
    }
    return entry == null ? null : entry.item();
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  public int size() {
    return latest == null ? fifo.size() : latest.size();
  }

  /** True while the queue keeps only the latest entry per key. */
  public boolean coalescing() {
    return latest != null;
  }

  /** Queued entries that can never be coalesced. */
  public int unkeyed() {
    return unkeyed;
  }
}
