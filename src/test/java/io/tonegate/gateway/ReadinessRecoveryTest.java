package io.tonegate.gateway;

import io.tonegate.redis.EmbeddedRedis;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ReadinessRecoveryTest {

  @Test
  @DisplayName("/ready turns 503 with a JSON reason when Redis stops, and 200 again when it returns, without a restart")
  void readyFollowsRedis() throws Exception {
    EmbeddedRedis redis = TestRedis.startDedicated();
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start(new JsonObject()
        .put("redis", new JsonObject().put("url", redis.url()).put("readyTimeout", "300ms")))) {
      WebClient client = gateway.webClient(vertx);
      assertThat(status(client)).isEqualTo(200);

      redis.stop();
      HttpResponse<Buffer> down = client.get("/ready").send().await(10, TimeUnit.SECONDS);
      assertThat(down.statusCode()).isEqualTo(503);
      JsonObject body = down.bodyAsJsonObject();
      assertThat(body.getString("status")).isEqualTo("NOT_READY");
      assertThat(body.getString("reason")).startsWith("redis");
      assertThat(status(client)).isEqualTo(503); // stays down while Redis is down
      String metrics = client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
      assertThat(metrics).containsPattern(
          "tonegate_redis_command_errors_total\\{command=\"PING\",kind=\"(connection|timeout)\"} [1-9]");

      redis.restart();
      assertThat(awaitStatus(client, 200)).isEqualTo(200);
    } finally {
      redis.stop();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static int status(WebClient client) throws Exception {
    return client.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode();
  }

  /** Polls until {@code expected} (the pool reconnects on the next command) or 10 s pass; returns the last status. */
  private static int awaitStatus(WebClient client, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last;
    do {
      last = status(client);
      if (last == expected) {
        return last;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return last;
  }
}
