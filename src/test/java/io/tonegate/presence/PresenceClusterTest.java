package io.tonegate.presence;

import io.tonegate.identity.TokenScope;
import io.tonegate.testing.RedisClusterHarness;
import io.tonegate.testing.RedisProcess;
import io.tonegate.testing.RedisTopology;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence on a real 3-master Redis Cluster with sharded pub/sub (SSUBSCRIBE/SPUBLISH), whatever topology the rest
 * of the run uses: each user's topic lives on the shard owning the user's hash slot, next to the user's keys, and a
 * subscription to users in many slots is split per slot (one SSUBSCRIBE may not cross slots).
 */
@DisplayName("presence on Redis Cluster with sharded pub/sub, two gateway instances")
class PresenceClusterTest {

  private static final int USERS = 8;
  private static final int CHANGES = 6;

  private static RedisClusterHarness cluster;
  private static PresenceKeys keys;
  private static Vertx vertx;
  private static TestGateway a;
  private static TestGateway b;
  private static String readToken;

  @BeforeAll
  static void start() throws Exception {
    cluster = RedisTopology.sharedCluster();
    String prefix = PresenceTesting.newPrefix();
    keys = new PresenceKeys(prefix);
    JsonObject overrides = new JsonObject()
        .put("accessKey", PresenceTesting.ACCESS_KEY)
        .put("identity", new JsonObject().put("issuer", "https://tonegate.test/"))
        .put("redis", RedisTopology.clusterSection(cluster).put("keyPrefix", prefix))
        // presence.pubsub.mode left at its default, auto: sharded because redis.mode is cluster
        .put("presence", new JsonObject().put("debounceWindow", "0ms"));
    a = TestGateway.start(overrides);
    b = TestGateway.start(overrides);
    vertx = Vertx.vertx();
    readToken = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ).token();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Test
  @DisplayName("one subscription to users in many slots: each user's topic is shard-subscribed on the master owning its slot, once per instance, never as a classic channel; every change reaches every subscriber on both instances exactly once, in version order")
  void shardedExactlyOnce() throws Exception {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      users.add(PresenceFanoutTest.user());
    }
    Set<Integer> owners = new HashSet<>();
    users.forEach(user -> owners.add(cluster.masterFor(keys.channel(user)).port()));
    assertThat(owners).as("the users' topics span several shards").hasSizeGreaterThan(1);

    List<PresenceClient> subscribers = new ArrayList<>();
    try {
      for (TestGateway gateway : List.of(a, a, b, b)) {
        PresenceClient client = PresenceClient.connect(vertx, gateway, readToken, null);
        subscribers.add(client);
        assertThat(client.subscribe(users, Map.of()).getJsonArray("users")).hasSize(USERS);
      }
      for (String user : users) {
        String channel = keys.channel(user);
        RedisProcess owner = cluster.masterFor(channel);
        awaitShardSubscribers(owner, channel, 2); // one subscription connection per gateway instance
        for (RedisProcess master : cluster.masters()) {
          assertThat(((List<?>) master.call("PUBSUB", "NUMSUB", channel)).get(1)).as("classic subscribers")
              .isEqualTo(0L);
        }
      }

      WebClient httpA = a.webClient(vertx);
      WebClient httpB = b.webClient(vertx);
      String[] states = {"Busy/InACall", "Away/Away", "DoNotDisturb/Presenting", "Available/Available"};
      for (int i = 0; i < CHANGES; i++) {
        for (String user : users) {
          boolean onA = (i + users.indexOf(user)) % 2 == 0;
          PresenceFanoutTest.put(onA ? httpA : httpB, onA ? a : b, user, states[i % states.length])
              .await(10, TimeUnit.SECONDS);
        }
      }
      List<Long> expected = LongStream.rangeClosed(1, CHANGES).boxed().toList();
      for (PresenceClient subscriber : subscribers) {
        for (String user : users) {
          subscriber.awaitChange(user, CHANGES);
          assertThat(subscriber.changeVersions(user)).as("changes of %s", user).containsExactlyElementsOf(expected);
        }
      }
    } finally {
      for (PresenceClient subscriber : subscribers) {
        subscriber.close();
      }
    }
  }

  /** Waits (up to 10 s) until {@code channel} has {@code count} shard subscribers on {@code node}. */
  private static void awaitShardSubscribers(RedisProcess node, String channel, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Object seen = null;
    while (System.nanoTime() < deadline) {
      seen = ((List<?>) node.call("PUBSUB", "SHARDNUMSUB", channel)).get(1);
      if (Long.valueOf(count).equals(seen)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(channel + " on " + node + ": " + seen + " shard subscribers, expected " + count);
  }
}
