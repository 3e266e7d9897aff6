package io.tonegate.redis;

import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.RedisTraffic;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A single redis-server 7 (AOF everysec) crashed, frozen or unreachable while the gateway's client carries traffic:
 * what the client and /ready do, and what is lost. Numbers printed per run go to docs/resilience.md.
 */
class StandaloneFaultTest {

  private static final long WRITE_TIMEOUT_MS = 1_000;

  private final Vertx vertx = Vertx.vertx();
  private RedisProcess server;

  @BeforeEach
  void setUp() {
    server = RedisProcess.startServer("standalone", RedisTopology.freshDir("standalone"), RedisProcess.freePort(),
        List.of());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      server.kill();
    }
  }

  private JsonObject redisSection() {
    return new JsonObject().put("url", server.url()).put("readyTimeout", "300ms").put("commandTimeout", "500ms");
  }

  @Test
  @DisplayName("Redis SIGKILLed under traffic and restarted: writes fail fast, resume without a gateway restart, /ready follows; the AOF keeps acknowledged writes")
  void killedAndRestarted() throws Exception {
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("redis", redisSection()))) {
      WebClient http = gateway.webClient(vertx);
      Redis redis = RedisClients.create(vertx, RedisTopology.redisConfig(redisSection()));
      RedisTraffic traffic = new RedisTraffic(vertx, redis, "tg:traffic:" + UUID.randomUUID() + ":", WRITE_TIMEOUT_MS)
          .start(5);
      traffic.awaitConsecutiveAcks(50, 10_000);

      long fault = System.nanoTime();
      server.kill();
      Thread.sleep(1_000);
      assertThat(ready(http)).isEqualTo(503);
      server.start(); // same port, same AOF
      traffic.awaitConsecutiveAcks(100, 20_000);
      traffic.stop();

      List<RedisTraffic.Outcome> lost = traffic.lostAcknowledged(redis);
      System.out.printf("[resilience] standalone killed+restarted: %d acknowledged, %d failed fast, %d timed out; "
              + "last failure %d ms after the kill; %d acknowledged writes lost%n",
          traffic.of(RedisTraffic.Kind.ACKNOWLEDGED).size(), traffic.of(RedisTraffic.Kind.FAILED).size(),
          traffic.of(RedisTraffic.Kind.TIMED_OUT).size(), traffic.outageMsAfter(fault), lost.size());
      // A process crash loses at most what Redis had not yet written to the AOF file: with everysec, writes of the
      // last two seconds when a background fsync is slow (normally none: the write reaches the OS before the reply).
      assertThat(lost).allSatisfy(o -> assertThat(fault - o.doneNanos()).isLessThan(TimeUnit.SECONDS.toNanos(2)));
      assertThat(traffic.of(RedisTraffic.Kind.TIMED_OUT)).as("a refused connection fails fast").isEmpty();
      assertThat(awaitReady(http, 200)).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("Redis frozen (SIGSTOP, connections open): every command fails at redis.commandTimeout instead of hanging; /ready 503; all recovers on SIGCONT")
  void frozen() throws Exception {
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("redis", redisSection()))) {
      WebClient http = gateway.webClient(vertx);
      Redis redis = RedisClients.create(vertx, RedisTopology.redisConfig(redisSection()));
      assertThat(redis.send(Request.cmd(Command.PING)).await(5, TimeUnit.SECONDS).toString()).isEqualTo("PONG");

      server.pause(true);
      try {
        long start = System.nanoTime();
        // No deadline of our own here: the client's redis.commandTimeout (500 ms) must end the command.
        assertThatThrownBy(() -> redis.send(Request.cmd(Command.SET).arg("tg:frozen").arg("1")).await())
            .isInstanceOf(TimeoutException.class);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).isLessThan(5_000);
        assertThat(ready(http)).isEqualTo(503);
      } finally {
        server.pause(false);
      }
      assertThat(redis.send(Request.cmd(Command.PING)).await(5, TimeUnit.SECONDS).toString()).isEqualTo("PONG");
      assertThat(awaitReady(http, 200)).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a Redis host that drops connection attempts: commands fail within redis.connectTimeout, not the OS's minute")
  void blackholedConnect() throws Exception {
    // A listener whose accept backlog is full and never accepted: the kernel drops further SYNs, like a firewall.
    try (ServerSocket blackhole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Socket s = new Socket();
          try {
            s.connect(new InetSocketAddress("127.0.0.1", blackhole.getLocalPort()), 300);
            fillers.add(s);
          } catch (IOException full) {
            s.close();
            break; // the backlog is full: connects now hang
          }
        }
        JsonObject section = new JsonObject().put("url", "redis://127.0.0.1:" + blackhole.getLocalPort())
            .put("connectTimeout", "300ms").put("commandTimeout", "10s");
        Redis redis = RedisClients.create(vertx, RedisTopology.redisConfig(section));
        long start = System.nanoTime();
        assertThatThrownBy(() -> redis.send(Request.cmd(Command.PING)).await(30, TimeUnit.SECONDS))
            .isNotInstanceOf(TimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    }
  }

  private static int ready(WebClient http) throws Exception {
    return http.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode();
  }

  private static int awaitReady(WebClient http, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last;
    do {
      last = ready(http);
      if (last == expected) {
        return last;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return last;
  }
}
