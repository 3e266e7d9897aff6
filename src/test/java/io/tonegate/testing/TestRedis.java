package io.tonegate.testing;

import io.tonegate.redis.EmbeddedRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Real redis-server processes for tests (the binary from the embedded-redis jar). {@link #shared()} is one server
 * for the whole test JVM; {@link #startDedicated()} gives a test its own server to stop and restart.
 */
public final class TestRedis {

  private static EmbeddedRedis shared;

  private TestRedis() {
  }

  /** The JVM-wide server, started on first use and stopped when the JVM exits. Tests must use unique keys. */
  public static synchronized EmbeddedRedis shared() {
    if (shared == null) {
      shared = startDedicated();
      EmbeddedRedis server = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-redis-stop"));
    }
    return shared;
  }

  /** A new server on a free port with its own data directory under target/. The caller stops it. */
  public static EmbeddedRedis startDedicated() {
    return EmbeddedRedis.start(0, dataRoot().resolve("redis-" + UUID.randomUUID()), "everysec");
  }

  /**
   * A pooled client on this run's topology ({@link RedisTopology#current()}, standalone by default), made as the
   * gateway makes it. Feature tests take their Redis from here so they also run on Sentinel and Cluster.
   */
  public static Redis client(Vertx vertx) {
    return RedisTopology.current().testClient(vertx);
  }

  /** target/test-data of the project (works from Maven and IDEs). */
  public static Path dataRoot() {
    String base = System.getProperty("tonegate.basedir", ".");
    return Path.of(base, "target", "test-data");
  }
}
