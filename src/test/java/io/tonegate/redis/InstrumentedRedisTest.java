package io.tonegate.redis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tonegate.testing.RespClient;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The instrumented Redis client: script cache misses are not errors, error replies are")
class InstrumentedRedisTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  // Kept referenced for the whole test (vert.x#5839).
  private final Redis redis = new InstrumentedRedis(Redis.createClient(vertx, TestRedis.shared().url()), registry);

  @AfterEach
  void close() throws Exception {
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private double errors(String command, String kind) {
    return registry.get("tonegate.redis.command.errors").tag("command", command).tag("kind", kind).counter().count();
  }

  private double scriptCacheMisses() {
    return registry.get("tonegate.redis.script.cache.misses").counter().count();
  }

  @Test
  @DisplayName("a script Redis has not cached runs (EVALSHA, NOSCRIPT, EVAL): one cache miss, no error; cached: neither")
  void noScriptIsACacheMiss() throws Exception {
    // A script body no other test uses, so it is not in the shared server's cache yet.
    LuaScript script = new LuaScript("return '" + UUID.randomUUID() + "'");
    String key = "tg:test:" + UUID.randomUUID();

    script.run(redis, List.of(key), List.of()).await(10, TimeUnit.SECONDS);
    assertThat(scriptCacheMisses()).isEqualTo(1.0);
    assertThat(errors("EVALSHA", "redis")).isZero();

    script.run(redis, List.of(key), List.of()).await(10, TimeUnit.SECONDS);
    assertThat(scriptCacheMisses()).isEqualTo(1.0);

    RespClient.call(TestRedis.shared().port(), "SCRIPT", "FLUSH");   // as after a restart or failover
    script.run(redis, List.of(key), List.of()).await(10, TimeUnit.SECONDS);
    assertThat(scriptCacheMisses()).isEqualTo(2.0);
    assertThat(errors("EVALSHA", "redis")).isZero();
  }

  @Test
  @DisplayName("a real error reply (WRONGTYPE) is counted as a redis error of its command, not as a cache miss")
  void errorReplyIsAnError() throws Exception {
    String key = "tg:test:" + UUID.randomUUID();
    redis.send(Request.cmd(Command.HSET).arg(key).arg("f").arg("v")).await(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> redis.send(Request.cmd(Command.GET).arg(key)).await(10, TimeUnit.SECONDS))
        .hasMessageStartingWith("WRONGTYPE");
    assertThat(errors("GET", "redis")).isEqualTo(1.0);
    assertThat(scriptCacheMisses()).isZero();
  }
}
