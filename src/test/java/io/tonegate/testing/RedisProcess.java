package io.tonegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code redis-server} 7 process (Debian's {@code redis-server} package, not the embedded-redis jar's 6.2)
 * on a loopback port, with its own data directory and config file. A server, a cluster node or a sentinel. It can be
 * stopped (SIGTERM: Redis flushes its AOF and exits), killed (SIGKILL: a crash, nothing flushed) and started again
 * with the same port, config and data.
 *
 * <p>The binary is {@code redis-server} on the PATH, or the path in the system property {@code tonegate.redisServer}
 * (environment {@code TONEGATE_TEST_REDIS_SERVER}). When it is missing or older than 7 the harness fails with an
 * explanation: tests that need a topology never skip silently.
 */
public final class RedisProcess implements AutoCloseable {

  private static final long START_TIMEOUT_MS = 15_000;
  private static final Set<RedisProcess> RUNNING = ConcurrentHashMap.newKeySet();
  private static volatile String binary;

  static {
    // A failed or interrupted test run must not leave redis-server processes behind.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(RedisProcess::kill), "redis-process-kill"));
  }

  private final String name;
  private final int port;
  private final Path dataDir;
  private final Path configFile;
  private final boolean sentinel;
  private volatile Process process;

  private RedisProcess(String name, int port, Path dataDir, Path configFile, boolean sentinel) {
    this.name = name;
    this.port = port;
    this.dataDir = dataDir;
    this.configFile = configFile;
    this.sentinel = sentinel;
  }

  /**
   * Writes a config file with the standard test settings (loopback, AOF everysec, no RDB snapshots) plus
   * {@code extraConfig} lines, and starts the server. Blocks until it answers PING.
   */
  public static RedisProcess startServer(String name, Path dataDir, int port, List<String> extraConfig) {
    List<String> lines = new ArrayList<>(List.of(
        "port " + port,
        "bind 127.0.0.1",
        "protected-mode yes",
        "daemonize no",
        "dir " + dataDir.toAbsolutePath(),
        "appendonly yes",
        "appendfsync everysec",
        "save \"\"",
        // a replica (re)joining is synced at once, not after the default 5 s wait for more replicas
        "repl-diskless-sync-delay 0",
        "logfile " + dataDir.resolve("redis.log").toAbsolutePath()));
    lines.addAll(extraConfig);
    return start(name, dataDir, port, lines, false);
  }

  /** Starts a sentinel ({@code redis-server FILE --sentinel}) with {@code sentinelConfig} lines. */
  public static RedisProcess startSentinel(String name, Path dataDir, int port, List<String> sentinelConfig) {
    List<String> lines = new ArrayList<>(List.of(
        "port " + port,
        "bind 127.0.0.1",
        "daemonize no",
        "dir " + dataDir.toAbsolutePath(),
        "logfile " + dataDir.resolve("sentinel.log").toAbsolutePath()));
    lines.addAll(sentinelConfig);
    return start(name, dataDir, port, lines, true);
  }

  private static RedisProcess start(String name, Path dataDir, int port, List<String> lines, boolean sentinel) {
    try {
      Files.createDirectories(dataDir);
      Path config = dataDir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
      Files.write(config, lines, StandardCharsets.UTF_8);
      RedisProcess redis = new RedisProcess(name, port, dataDir, config, sentinel);
      redis.start();
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the process again with the same port, config and data (after {@link #stop()} or {@link #kill()}). */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of(redisServerBinary(), configFile.toAbsolutePath().toString()));
    if (sentinel) {
      command.add("--sentinel");
    }
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("stdout.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command + ": " + e.getMessage(), e);
    }
    RUNNING.add(this);
    awaitPing();
  }

  private void awaitPing() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " (redis-server on port " + port + ") exited at start with code "
            + process.exitValue() + "; see " + dataDir.resolve(sentinel ? "sentinel.log" : "redis.log"));
      }
      try {
        Object pong = RespClient.call(port, "PING");
        if ("PONG".equals(pong)) {
          return;
        }
      } catch (RuntimeException e) {
        last = e; // not listening yet, or still loading the AOF
      }
      sleep(50);
    }
    kill();
    throw new IllegalStateException(name + " did not answer PING on port " + port + " within " + START_TIMEOUT_MS
        + " ms", last);
  }

  /** SIGKILL: the crash case. Nothing is flushed; the AOF holds what the last fsync wrote. Waits for the exit. */
  public synchronized void kill() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      waitFor(p);
    }
    RUNNING.remove(this);
  }

  /** SIGTERM: Redis fsyncs the AOF and exits cleanly. Waits for the exit. */
  public synchronized void stop() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!waitFor(p)) {
        p.destroyForcibly();
        waitFor(p);
      }
    }
    RUNNING.remove(this);
  }

  /** SIGSTOP / SIGCONT: the process stays alive but answers nothing (a hung or partitioned node). */
  public void pause(boolean paused) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    try {
      Process signal = new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(p.pid())).start();
      if (!signal.waitFor(5, TimeUnit.SECONDS) || signal.exitValue() != 0) {
        throw new IllegalStateException("kill " + (paused ? "-STOP" : "-CONT") + " failed for " + name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean waitFor(Process p) {
    try {
      return p.waitFor(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Sends one command on a fresh connection (test set-up and inspection). */
  public Object call(Object... args) {
    return RespClient.call(port, args);
  }

  /** One field of INFO, e.g. {@code info("replication", "role")}; null when absent. */
  public String info(String section, String field) {
    String info = (String) call("INFO", section);
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return name + "@" + port;
  }

  /** The redis-server binary to run; fails with instructions when it is missing or too old. */
  public static synchronized String redisServerBinary() {
    if (binary != null) {
      return binary;
    }
    String configured = System.getProperty("tonegate.redisServer", System.getenv("TONEGATE_TEST_REDIS_SERVER"));
    String candidate = configured != null && !configured.isBlank() ? configured : findOnPath("redis-server");
    String help = "the Redis topology tests need redis-server 7 or later: install Debian's package "
        + "(apt-get install -y --no-install-recommends redis-server; .ci/run does it) or point the system property "
        + "tonegate.redisServer at a binary";
    if (candidate == null) {
      throw new IllegalStateException("redis-server not found on the PATH; " + help);
    }
    String version;
    try {
      Process p = new ProcessBuilder(candidate, "--version").redirectErrorStream(true).start();
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + candidate + " --version: " + e.getMessage() + "; " + help, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("v=(\\d+)\\.").matcher(version);
    if (!m.find() || Integer.parseInt(m.group(1)) < 7) {
      throw new IllegalStateException(candidate + " is '" + version + "', not 7 or later; " + help);
    }
    binary = candidate;
    return binary;
  }

  private static String findOnPath(String executable) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(":")));
    dirs.add("/usr/bin");
    dirs.add("/usr/local/bin");
    for (String dir : dirs) {
      Path file = Path.of(dir, executable);
      if (Files.isExecutable(file)) {
        return file.toString();
      }
    }
    return null;
  }

  /** A free loopback port (best effort: another process may take it before Redis binds; callers retry). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
