package io.tonegate.redis;

import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RedisClients} against real standalone, Sentinel and Cluster deployments (redis-server processes). */
class RedisTopologyTest {

  private static final LuaScript PAIR = new LuaScript("""
      redis.call('SET', KEYS[1], ARGV[1])
      redis.call('SET', KEYS[2], ARGV[2])
      return redis.call('MGET', KEYS[1], KEYS[2])
      """);

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  private static String unique() {
    return "tg:test:" + UUID.randomUUID();
  }

  @ParameterizedTest
  @EnumSource(RedisTopology.class)
  @DisplayName("the pooled client from RedisClients writes, reads, counts and expires keys spread over every node")
  void commands(RedisTopology topology) throws Exception {
    Redis redis = topology.client(vertx);
    String base = unique();
    List<Future<Response>> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      writes.add(redis.send(Request.cmd(Command.SET).arg(base + ":" + i).arg("v" + i).arg("EX").arg(60)));
    }
    await(Future.all(writes));
    for (int i = 0; i < 200; i += 37) {
      assertThat(await(redis.send(Request.cmd(Command.GET).arg(base + ":" + i))).toString()).isEqualTo("v" + i);
    }
    assertThat(await(redis.send(Request.cmd(Command.INCR).arg(base + ":n"))).toLong()).isEqualTo(1);
    assertThat(await(redis.send(Request.cmd(Command.TTL).arg(base + ":7"))).toLong()).isBetween(1L, 60L);
    if (topology == RedisTopology.CLUSTER) {
      // 200 random keys land on all three masters: the client routed each to its slot's owner
      for (RedisProcess node : topology.dataNodes()) {
        assertThat((Long) node.call("DBSIZE")).as("keys on %s", node).isPositive();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(RedisTopology.class)
  @DisplayName("a Lua script over keys with one {hash tag} runs atomically, and again after the script cache is flushed")
  void luaWithHashTags(RedisTopology topology) throws Exception {
    Redis redis = topology.client(vertx);
    String tag = "{" + UUID.randomUUID() + "}";
    List<String> keys = List.of("tg:call:" + tag + ":state", "tg:call:" + tag + ":digits");
    Response result = await(PAIR.run(redis, keys, List.of("collecting", "1234")));
    assertThat(result.get(0).toString()).isEqualTo("collecting");
    assertThat(result.get(1).toString()).isEqualTo("1234");

    // After a restart or failover the script cache is empty: EVALSHA gets NOSCRIPT and LuaScript falls back to EVAL.
    flushScripts(topology);
    Response again = await(PAIR.run(redis, keys, List.of("authenticated", "5678")));
    assertThat(again.get(0).toString()).isEqualTo("authenticated");
  }

  @ParameterizedTest
  @EnumSource(value = RedisTopology.class, names = "CLUSTER")
  @DisplayName("on Cluster a script over keys in different slots is refused (CROSSSLOT): why every multi-key script uses a hash tag")
  void crossSlotRefused(RedisTopology topology) throws Exception {
    Redis redis = topology.client(vertx);
    // {a} and {b} hash to slots 15495 and 3300: two different masters of the three
    List<String> keys = List.of("tg:{a}:" + UUID.randomUUID(), "tg:{b}:" + UUID.randomUUID());
    assertThatThrownBy(() -> await(PAIR.run(redis, keys, List.of("x", "y"))))
        .hasMessageContaining("CROSSSLOT");
  }

  @ParameterizedTest
  @EnumSource(RedisTopology.class)
  @DisplayName("pub/sub on a dedicated connection delivers messages on every topology (sharded SPUBLISH on Cluster)")
  void pubSub(RedisTopology topology) throws Exception {
    Redis redis = topology.client(vertx);
    boolean sharded = topology == RedisTopology.CLUSTER;
    String channel = "tg:presence:{" + UUID.randomUUID() + "}";
    RedisConnection subscriber = await(redis.connect());
    Promise<String> received = Promise.promise();
    subscriber.handler(message -> {
      if (message.type() == ResponseType.PUSH || message.type() == ResponseType.MULTI) {
        String kind = message.get(0).toString();
        if (("message".equals(kind) || "smessage".equals(kind)) && channel.equals(message.get(1).toString())) {
          received.tryComplete(message.get(2).toString());
        }
      }
    });
    await(subscriber.send(Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE).arg(channel)));
    await(redis.send(Request.cmd(sharded ? Command.SPUBLISH : Command.PUBLISH).arg(channel).arg("online")));
    assertThat(await(received.future())).isEqualTo("online");
    subscriber.close();
  }

  @ParameterizedTest
  @EnumSource(RedisTopology.class)
  @DisplayName("/ready answers 200 READY through the configured topology")
  void readyPerTopology(RedisTopology topology) throws Exception {
    try (TestGateway gateway = TestGateway.start(topology.gatewayOverrides())) {
      WebClient client = gateway.webClient(vertx);
      HttpResponse<Buffer> ready = await(client.get("/ready").send());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("READY");
    }
  }

  private static void flushScripts(RedisTopology topology) {
    if (topology == RedisTopology.STANDALONE) {
      io.tonegate.testing.RespClient.call(io.tonegate.testing.TestRedis.shared().port(), "SCRIPT", "FLUSH");
      return;
    }
    for (RedisProcess node : topology.dataNodes()) {
      node.call("SCRIPT", "FLUSH");
    }
  }
}
