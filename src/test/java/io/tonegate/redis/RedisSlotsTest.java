package io.tonegate.redis;

import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.RespClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Redis Cluster hash slots computed in Java")
class RedisSlotsTest {

  @Test
  @DisplayName("CRC-16/XMODEM check value and the Cluster specification's examples")
  void specificationValues() {
    byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(RedisSlots.crc16(check, 0, check.length)).isEqualTo(0x31C3);
    assertThat(RedisSlots.slot("foo")).isEqualTo(12182);
    assertThat(RedisSlots.slot("{user1000}.following")).isEqualTo(RedisSlots.slot("{user1000}.followers"))
        .isEqualTo(RedisSlots.slot("user1000"));
    byte[] whole = "foo{}{bar}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(RedisSlots.slot("foo{}{bar}")).as("an empty first tag hashes the whole key")
        .isEqualTo(RedisSlots.crc16(whole, 0, whole.length) % RedisSlots.SLOT_COUNT);
    assertThat(RedisSlots.slot("foo{{bar}}zap")).isEqualTo(RedisSlots.slot("{bar"));
    assertThat(RedisSlots.slot("foo{bar}{zap}")).isEqualTo(RedisSlots.slot("bar"));
  }

  @Test
  @DisplayName("agrees with CLUSTER KEYSLOT of a real redis-server 7 on 2,000 keys with tags, braces and UTF-8")
  void agreesWithRedis() {
    Random random = new Random(11);
    String alphabet = "ab{}:-é日0";
    List<String> keys = new ArrayList<>(List.of("", "{", "}", "{}", "{a}", "tonegate:presence:{u-1}", "x{}y{z}"));
    while (keys.size() < 2_000) {
      StringBuilder key = new StringBuilder();
      int length = random.nextInt(12);
      for (int i = 0; i < length; i++) {
        key.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      keys.add(key.toString());
    }
    RedisProcess node = RedisTopology.sharedCluster().masters().get(0);
    try (RespClient redis = RespClient.connect(node.port(), 5_000)) {
      for (String key : keys) {
        assertThat(RedisSlots.slot(key)).as("slot of '%s'", key)
            .isEqualTo(((Number) redis.send("CLUSTER", "KEYSLOT", key)).intValue());
      }
    }
  }

  @Test
  @DisplayName("groups keep first-appearance order and put same-tag keys together")
  void grouping() {
    List<List<String>> groups = RedisSlots.groupBySlot(List.of("{a}1", "{b}1", "{a}2", "{b}2", "{c}"), k -> k);
    assertThat(groups).containsExactly(List.of("{a}1", "{a}2"), List.of("{b}1", "{b}2"), List.of("{c}"));
  }
}
