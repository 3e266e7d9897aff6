package io.tonegate.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Redis Cluster hash slots (Cluster specification, "Keys distribution model"): {@code CRC16(key) mod 16384}, where
 * CRC16 is CRC-16/XMODEM and only the part between the first {@code {} and the next {@code }} is hashed when
 * that part is non-empty (a hash tag). Commands and pipelines that touch several keys or shard channels must keep
 * them in one slot on Cluster; code that sends such groups splits them with {@link #groupBySlot}.
 */
public final class RedisSlots {

  /** Number of hash slots of a Redis Cluster. */
  public static final int SLOT_COUNT = 16384;

  private static final int[] CRC16_TABLE = new int[256];

  static {
    // CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection (the Cluster specification's reference code).
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      CRC16_TABLE[i] = crc & 0xFFFF;
    }
  }

  private RedisSlots() {
  }

  /** The hash slot of {@code key} (its UTF-8 bytes), honouring hash tags. */
  public static int slot(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    int to = bytes.length;
    int open = indexOf(bytes, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(bytes, (byte) '}', open + 1);
      if (close > open + 1) { // "{}" is not a tag: the whole key is hashed
        from = open + 1;
        to = close;
      }
    }
    return crc16(bytes, from, to) & (SLOT_COUNT - 1);
  }

  /** CRC-16/XMODEM of {@code bytes[from, to)}. */
  static int crc16(byte[] bytes, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }

  /**
   * {@code items} grouped by the slot of {@code keyOf(item)}, groups in order of first appearance and items in their
   * original order within a group.
   */
  public static <T> List<List<T>> groupBySlot(List<T> items, Function<T, String> keyOf) {
    Map<Integer, List<T>> groups = new LinkedHashMap<>();
    for (T item : items) {
      groups.computeIfAbsent(slot(keyOf.apply(item)), s -> new ArrayList<>()).add(item);
    }
    return new ArrayList<>(groups.values());
  }

  private static int indexOf(byte[] bytes, byte value, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
