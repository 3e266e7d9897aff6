package io.tonegate.presence;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("a subscriber's bounded queue: FIFO until full, then the latest state per user")
class SubscriberQueueTest {

  private static List<String> drain(SubscriberQueue<String> queue) {
    List<String> out = new ArrayList<>();
    for (String item = queue.poll(); item != null; item = queue.poll()) {
      out.add(item);
    }
    return out;
  }

  @Test
  @DisplayName("below capacity every entry is kept, in order, even several of one user")
  void fifoBelowCapacity() {
    SubscriberQueue<String> queue = new SubscriberQueue<>(4);
    assertThat(queue.offer("a", "a1")).isZero();
    assertThat(queue.offer("a", "a2")).isZero();
    assertThat(queue.offer("b", "b1")).isZero();
    assertThat(queue.coalescing()).isFalse();
    assertThat(drain(queue)).containsExactly("a1", "a2", "b1");
  }

  @Test
  @DisplayName("when full it keeps only the latest entry per user and counts what it dropped")
  void coalescesWhenFull() {
    SubscriberQueue<String> queue = new SubscriberQueue<>(3);
    queue.offer("a", "a1");
    queue.offer("b", "b1");
    queue.offer("a", "a2");
    assertThat(queue.offer("a", "a3")).as("a1 and a2 are superseded by a3").isEqualTo(2);
    assertThat(queue.coalescing()).isTrue();
    assertThat(queue.offer("b", "b2")).isEqualTo(1);
    assertThat(queue.offer("c", "c1")).isZero();
    assertThat(queue.size()).isEqualTo(3);
    assertThat(drain(queue)).containsExactly("a3", "b2", "c1");
    assertThat(queue.coalescing()).as("drained: back to FIFO").isFalse();
    queue.offer("a", "a4");
    queue.offer("a", "a5");
    assertThat(drain(queue)).containsExactly("a4", "a5");
  }

  @Test
  @DisplayName("while coalescing its size is bounded by the number of users, whatever the publication rate")
  void boundedByUsers() {
    SubscriberQueue<String> queue = new SubscriberQueue<>(8);
    int dropped = 0;
    for (int i = 0; i < 100_000; i++) {
      dropped += queue.offer("u" + (i % 20), "v" + i);
    }
    assertThat(queue.size()).isEqualTo(20);
    assertThat(dropped).isEqualTo(100_000 - 20);
    assertThat(drain(queue)).hasSize(20).allMatch(v -> Integer.parseInt(v.substring(1)) >= 100_000 - 20);
  }

  @Test
  @DisplayName("replies (no user) are never coalesced and are counted")
  void repliesKept() {
    SubscriberQueue<String> queue = new SubscriberQueue<>(2);
    queue.offer(null, "r1");
    queue.offer("a", "a1");
    queue.offer(null, "r2");
    queue.offer("a", "a2");
    assertThat(queue.unkeyed()).isEqualTo(2);
    assertThat(drain(queue)).containsExactly("r1", "a2", "r2");
    assertThat(queue.unkeyed()).isZero();
  }
}
