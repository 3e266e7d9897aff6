package io.tonegate.redis;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real redis-server process (the binary shipped in the embedded-redis jar) for development and tests:
 * loopback only, AOF persistence in a data directory, stopped with the gateway.
 */
public final class EmbeddedRedis implements AutoCloseable {

  private final RedisServer server;
  private final int port;
  private final Path dataDir;

  private EmbeddedRedis(RedisServer server, int port, Path dataDir) {
    this.server = server;
    this.port = port;
    this.dataDir = dataDir;
  }

  /**
   * Starts redis-server on {@code port} (0 picks a free one), persisting to {@code dataDir}. Blocks until the
   * server accepts connections; call it before the event loops start, or from a worker.
   */
  public static EmbeddedRedis start(int port, Path dataDir, String appendfsync) {
    try {
      Files.createDirectories(dataDir);
      int chosen = port == 0 ? freePort() : port;
      RedisServer server = RedisServer.newRedisServer()
          .port(chosen)
          .bind("127.0.0.1")
          .setting("dir " + dataDir.toAbsolutePath())
          .setting("appendonly yes")
          .setting("appendfsync " + appendfsync)
          .setting("save \"\"")
          .setting("protected-mode yes")
          .setting("daemonize no")
          .build();
      server.start();
      return new EmbeddedRedis(server, chosen, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded redis-server: " + e.getMessage(), e);
    }
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

  public boolean isRunning() {
    return server.isActive();
  }

  /** Starts the same server again on the same port and data (after {@link #stop()}). */
  public void restart() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void stop() {
    try {
      if (server.isActive()) {
        server.stop();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
