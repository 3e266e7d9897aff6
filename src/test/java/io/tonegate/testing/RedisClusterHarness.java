package io.tonegate.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: {@code masters} redis-server 7 processes with cluster-enabled, the 16384 slots
 * split evenly (CLUSTER ADDSLOTSRANGE), joined with CLUSTER MEET, optionally one replica per master. Started in about
 * a second; {@link #close()} kills every node.
 */
public final class RedisClusterHarness implements AutoCloseable {

  /** Cluster bus timeout: how long a node may be unreachable before it counts as failing (replica promotion). */
  public static final int NODE_TIMEOUT_MS = 1_000;
  private static final int SLOTS = 16_384;
  private static final long READY_TIMEOUT_MS = 30_000;

  private final List<RedisProcess> masters;
  private final List<RedisProcess> replicas;

  private RedisClusterHarness(List<RedisProcess> masters, List<RedisProcess> replicas) {
    this.masters = masters;
    this.replicas = replicas;
  }

  /** A cluster of {@code masters} masters (at least 3 for a real cluster) and {@code replicasPerMaster} (0 or 1). */
  public static RedisClusterHarness start(Path dataDir, int masterCount, int replicasPerMaster) {
    List<RedisProcess> masters = new ArrayList<>();
    List<RedisProcess> replicas = new ArrayList<>();
    RedisClusterHarness cluster = new RedisClusterHarness(masters, replicas);
    try {
      for (int i = 0; i < masterCount; i++) {
        masters.add(startNode(dataDir.resolve("master-" + i), "cluster-master-" + i));
      }
      for (int i = 0; i < masterCount * replicasPerMaster; i++) {
        replicas.add(startNode(dataDir.resolve("replica-" + i), "cluster-replica-" + i));
      }
      int per = SLOTS / masterCount;
      for (int i = 0; i < masterCount; i++) {
        int from = i * per;
        int to = i == masterCount - 1 ? SLOTS - 1 : from + per - 1;
        masters.get(i).call("CLUSTER", "ADDSLOTSRANGE", from, to);
      }
      RedisProcess first = masters.get(0);
      for (RedisProcess node : cluster.nodes()) {
        if (node != first) {
          first.call("CLUSTER", "MEET", "127.0.0.1", node.port(), busPort(node));
        }
      }
      cluster.awaitKnown();
      for (int i = 0; i < replicas.size(); i++) {
        String masterId = (String) masters.get(i % masterCount).call("CLUSTER", "MYID");
        replicas.get(i).call("CLUSTER", "REPLICATE", masterId);
      }
      cluster.awaitReady();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static RedisProcess startNode(Path dataDir, String name) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = RedisProcess.freePort();
      int bus = RedisProcess.freePort();
      try {
        return RedisProcess.startServer(name, dataDir, port, List.of(
            "cluster-enabled yes",
            "cluster-config-file nodes.conf",
            "cluster-node-timeout " + NODE_TIMEOUT_MS,
            "cluster-port " + bus));
      } catch (IllegalStateException e) {
        last = e; // port taken between freePort() and bind: try other ports
      }
    }
    throw last;
  }

  private static int busPort(RedisProcess node) {
    List<?> reply = (List<?>) node.call("CONFIG", "GET", "cluster-port");
    return Integer.parseInt((String) reply.get(1));
  }

  private void awaitKnown() {
    int total = nodes().size();
    awaitUntil("every node knows " + total + " nodes", () -> nodes().stream().allMatch(node ->
        ((String) node.call("CLUSTER", "NODES")).lines().filter(l -> !l.contains("handshake")).count() == total));
  }

  private void awaitReady() {
    awaitUntil("cluster_state:ok on every node with all slots assigned", () -> nodes().stream().allMatch(node -> {
      String info = (String) node.call("CLUSTER", "INFO");
      return info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:" + SLOTS);
    }));
    if (!replicas.isEmpty()) {
      awaitUntil("every replica in sync", () -> replicas.stream()
          .allMatch(r -> "up".equals(r.info("replication", "master_link_status"))));
    }
  }

  static void awaitUntil(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      RedisProcess.sleep(50);
    }
    throw new IllegalStateException("timed out waiting until " + what, last);
  }

  /** Waits until every running replica has acknowledged its master's whole replication stream. */
  public void awaitReplicated() {
    for (RedisProcess replica : replicas) {
      if (!replica.isRunning()) {
        continue;
      }
      int masterPort = Integer.parseInt(replica.info("replication", "master_port"));
      RedisProcess master = nodes().stream().filter(n -> n.port() == masterPort).findFirst().orElseThrow();
      long offset = Long.parseLong(master.info("replication", "master_repl_offset"));
      awaitUntil(replica + " reaches offset " + offset,
          () -> Long.parseLong(replica.info("replication", "slave_repl_offset")) >= offset);
    }
  }

  /**
   * SIGKILLs {@code master} and waits until its replica has been promoted and every other running node agrees the
   * cluster is ok again. Returns the promoted node.
   */
  public RedisProcess killMaster(RedisProcess master) {
    String id = (String) master.call("CLUSTER", "MYID");
    RedisProcess replica = replicas.stream()
        .filter(r -> r.isRunning() && id.equals(((String) r.call("CLUSTER", "NODES")).lines()
            .filter(l -> l.contains("myself")).findFirst().orElseThrow().split(" ")[3]))
        .findFirst().orElseThrow(() -> new IllegalStateException(master + " has no replica"));
    master.kill();
    awaitUntil(replica + " promoted and the cluster ok", () -> "master".equals(replica.info("replication", "role"))
        && nodes().stream().filter(RedisProcess::isRunning)
            .allMatch(n -> ((String) n.call("CLUSTER", "INFO")).contains("cluster_state:ok")));
    return replica;
  }

  public List<RedisProcess> masters() {
    return masters;
  }

  public List<RedisProcess> replicas() {
    return replicas;
  }

  public List<RedisProcess> nodes() {
    List<RedisProcess> all = new ArrayList<>(masters);
    all.addAll(replicas);
    return all;
  }

  /** Every node's URL: the seed list a client gets (any one is enough to discover the rest, all is robust). */
  public List<String> urls() {
    return nodes().stream().map(RedisProcess::url).toList();
  }

  /** The master serving {@code key}'s hash slot now (asks the cluster, honours hash tags). */
  public RedisProcess masterFor(String key) {
    long slot = (Long) masters.get(0).call("CLUSTER", "KEYSLOT", key);
    for (RedisProcess node : nodes()) {
      if (!node.isRunning()) {
        continue;
      }
      String nodes = (String) node.call("CLUSTER", "NODES");
      for (String line : nodes.lines().toList()) {
        String[] f = line.split(" ");
        if (!f[2].contains("master") || f[2].contains("fail")) {
          continue;
        }
        for (int i = 8; i < f.length; i++) {
          String[] range = f[i].split("-");
          if (range[0].startsWith("[")) {
            continue;
          }
          long from = Long.parseLong(range[0]);
          long to = range.length > 1 ? Long.parseLong(range[1]) : from;
          if (slot >= from && slot <= to) {
            int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
            return nodes().stream().filter(n -> n.port() == port).findFirst().orElseThrow();
          }
        }
      }
      break;
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  @Override
  public void close() {
    nodes().forEach(RedisProcess::kill);
  }
}
