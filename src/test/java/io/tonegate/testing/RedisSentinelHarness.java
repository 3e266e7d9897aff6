package io.tonegate.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Sentinel deployment on loopback: one master, one replica (both AOF everysec) and three sentinels watching
 * {@link #MASTER_NAME} with quorum 2. Failure detection is tuned for tests (down after {@link #DOWN_AFTER_MS}), so a
 * killed master is replaced in a few seconds. {@link #killMaster()} SIGKILLs the current master and waits until the
 * sentinels name the promoted replica.
 */
public final class RedisSentinelHarness implements AutoCloseable {

  public static final String MASTER_NAME = "mymaster";
  /** Sentinel down-after-milliseconds: how long the master may be silent before it is subjectively down. */
  public static final int DOWN_AFTER_MS = 1_000;
  private static final int QUORUM = 2;

  private final List<RedisProcess> servers;
  private final List<RedisProcess> sentinels;

  private RedisSentinelHarness(List<RedisProcess> servers, List<RedisProcess> sentinels) {
    this.servers = servers;
    this.sentinels = sentinels;
  }

  /** Starts master, replica and three sentinels; returns once the sentinels see the replica and each other. */
  public static RedisSentinelHarness start(Path dataDir) {
    List<RedisProcess> servers = new ArrayList<>();
    List<RedisProcess> sentinels = new ArrayList<>();
    RedisSentinelHarness group = new RedisSentinelHarness(servers, sentinels);
    try {
      RedisProcess master = startWithRetry(port -> RedisProcess.startServer("sentinel-master",
          dataDir.resolve("server-0"), port, List.of()));
      servers.add(master);
      servers.add(startWithRetry(port -> RedisProcess.startServer("sentinel-replica", dataDir.resolve("server-1"),
          port, List.of("replicaof 127.0.0.1 " + master.port()))));
      sentinels.addAll(startSentinels(dataDir, master.port(), servers.get(1).port()));
      group.awaitStable(master.port());
      return group;
    } catch (RuntimeException e) {
      group.close();
      throw e;
    }
  }

  /**
   * Three sentinels that know each other and the replica from their config files ({@code sentinel myid},
   * {@code known-sentinel}, {@code known-replica}), so they can agree on a failover at once instead of after the
   * seconds of hello-message discovery.
   */
  private static List<RedisProcess> startSentinels(Path dataDir, int masterPort, int replicaPort) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      List<Integer> ports = List.of(RedisProcess.freePort(), RedisProcess.freePort(), RedisProcess.freePort());
      List<String> ids = List.of(myId(), myId(), myId());
      List<RedisProcess> started = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          List<String> config = new ArrayList<>(List.of(
              "sentinel myid " + ids.get(i),
              "sentinel resolve-hostnames no",
              "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " " + QUORUM,
              "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
              "sentinel failover-timeout " + MASTER_NAME + " 10000",
              "sentinel parallel-syncs " + MASTER_NAME + " 1",
              "sentinel known-replica " + MASTER_NAME + " 127.0.0.1 " + replicaPort));
          for (int j = 0; j < 3; j++) {
            if (j != i) {
              config.add("sentinel known-sentinel " + MASTER_NAME + " 127.0.0.1 " + ports.get(j) + " " + ids.get(j));
            }
          }
          started.add(RedisProcess.startSentinel("sentinel-" + i, dataDir.resolve("sentinel-" + i), ports.get(i),
              config));
        }
        return started;
      } catch (IllegalStateException e) {
        started.forEach(RedisProcess::kill);
        last = e; // a port was taken between freePort() and bind
      }
    }
    throw last;
  }

  private static String myId() {
    return java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(20)
        .putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong())
        .putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong())
        .putInt(java.util.concurrent.ThreadLocalRandom.current().nextInt()).array());
  }

  private static RedisProcess startWithRetry(java.util.function.IntFunction<RedisProcess> starter) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return starter.apply(RedisProcess.freePort());
      } catch (IllegalStateException e) {
        last = e; // port taken between freePort() and bind
      }
    }
    throw last;
  }

  /**
   * Waits until every sentinel names {@code masterPort} as master, knows the other two sentinels and the replica is
   * in sync: only then can a failover be agreed.
   */
  private void awaitStable(int masterPort) {
    RedisClusterHarness.awaitUntil("sentinels agree on the master, know each other and the replica is in sync",
        () -> sentinels.stream().allMatch(s -> {
          List<?> addr = (List<?>) s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
          List<?> peers = (List<?>) s.call("SENTINEL", "SENTINELS", MASTER_NAME);
          List<?> replicas = (List<?>) s.call("SENTINEL", "REPLICAS", MASTER_NAME);
          return addr != null && Integer.parseInt((String) addr.get(1)) == masterPort
              && peers.size() == sentinels.size() - 1 && replicas.size() == servers.size() - 1;
        }) && servers.stream().filter(r -> r.port() != masterPort)
            .allMatch(r -> "up".equals(r.info("replication", "master_link_status"))));
  }

  /** The master the sentinels name now. */
  public RedisProcess master() {
    for (RedisProcess sentinel : sentinels) {
      if (!sentinel.isRunning()) {
        continue;
      }
      List<?> addr = (List<?>) sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
      int port = Integer.parseInt((String) addr.get(1));
      return servers.stream().filter(s -> s.port() == port).findFirst().orElseThrow();
    }
    throw new IllegalStateException("no sentinel running");
  }

  /** The data servers that are not the current master. */
  public List<RedisProcess> replicas() {
    RedisProcess master = master();
    return servers.stream().filter(s -> s != master).toList();
  }

  /**
   * SIGKILLs the current master (a crash: its unflushed AOF and unreplicated writes are lost) and waits until every
   * running sentinel names the promoted replica and the replica has taken the master role. Returns the new master.
   */
  public RedisProcess killMaster() {
    RedisProcess old = master();
    old.kill();
    return awaitNewMaster(old);
  }

  /** Waits until the sentinels have replaced {@code old} and the new master accepts writes. */
  public RedisProcess awaitNewMaster(RedisProcess old) {
    RedisClusterHarness.awaitUntil("the sentinels promote a replica of " + old, () -> {
      RedisProcess now = master();
      return now != old && "master".equals(now.info("replication", "role"))
          && sentinels.stream().filter(RedisProcess::isRunning).allMatch(s -> {
            List<?> addr = (List<?>) s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
            return Integer.parseInt((String) addr.get(1)) == now.port();
          });
    });
    return master();
  }

  /**
   * Restarts a killed server with its old config and data; the sentinels turn it into a replica of the current
   * master. Waits until it is in sync.
   */
  public void rejoin(RedisProcess server) {
    server.start();
    RedisClusterHarness.awaitUntil(server + " rejoins as an in-sync replica", () ->
        "slave".equals(server.info("replication", "role"))
            && "up".equals(server.info("replication", "master_link_status")));
  }

  /**
   * Waits until every running replica has acknowledged the master's whole replication stream (what {@code WAIT}
   * does for one connection): writes made before this call survive a failover.
   */
  public void awaitReplicated() {
    RedisProcess master = master();
    long offset = Long.parseLong(master.info("replication", "master_repl_offset"));
    RedisClusterHarness.awaitUntil("replicas reach offset " + offset, () -> servers.stream()
        .filter(s -> s != master && s.isRunning())
        .allMatch(s -> Long.parseLong(s.info("replication", "slave_repl_offset")) >= offset));
  }

  public List<RedisProcess> sentinels() {
    return sentinels;
  }

  public List<RedisProcess> servers() {
    return servers;
  }

  /** The sentinel URLs: what the gateway is configured with (redis.url + redis.endpoints). */
  public List<String> sentinelUrls() {
    return sentinels.stream().map(RedisProcess::url).toList();
  }

  @Override
  public void close() {
    sentinels.forEach(RedisProcess::kill);
    servers.forEach(RedisProcess::kill);
  }
}
