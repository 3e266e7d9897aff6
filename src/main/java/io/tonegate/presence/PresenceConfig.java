package io.tonegate.presence;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The {@code presence} section of the configuration (defaults and meanings in conf/tonegate.yaml).
 *
 * @param debounceWindow    after a publication, further changes of the same user within this window are held and
 *                          published once at its end (0 = off)
 * @param sourcePriority    source layers, highest first: the first live one is the user's presence
 * @param fallback          presence when no layer is live
 * @param inCall            what the calls source sets while a user is in an authenticated call
 * @param maxCallDuration   a call that never reports its end stops counting after this long
 * @param maxExpiry         longest {@code expiresIn} a PUT may ask for
 * @param subscriber        per-connection limits of subscribers
 * @param groupClaimTtl     how long a group's delivery claim is kept (must exceed any redelivery race)
 * @param pubSub            classic PUBLISH/SUBSCRIBE, or sharded SPUBLISH/SSUBSCRIBE (Redis 7 Cluster)
 * @param sweepInterval     how often the lease owner recomputes users whose debounce or expiry is due
 * @param leaseTtl          lease of the poller/sweeper role; renewed at a third of it
 */
public record PresenceConfig(
    boolean enabled,
    Duration debounceWindow,
    List<String> sourcePriority,
    Presence fallback,
    Presence inCall,
    Duration maxCallDuration,
    Duration maxExpiry,
    SubscriberLimits subscriber,
    Duration groupClaimTtl,
    PubSubMode pubSub,
    Duration reconnectMinDelay,
    Duration reconnectMaxDelay,
    Duration sweepInterval,
    Duration leaseTtl,
    PollerConfig poller) {

  /** The source layers the gateway knows. */
  public static final Set<String> LAYERS = Set.of("manual", "call", "poll");

  /** Pub/sub commands of the presence topics; AUTO is SHARDED on a Redis Cluster and CLASSIC otherwise. */
  public enum PubSubMode {
    AUTO, CLASSIC, SHARDED;

    /** The mode to use against Redis in {@code redisMode}: AUTO resolved, the others as configured. */
    public PubSubMode resolve(io.tonegate.redis.RedisConfig.Mode redisMode) {
      if (this != AUTO) {
        return this;
      }
      return redisMode == io.tonegate.redis.RedisConfig.Mode.CLUSTER ? SHARDED : CLASSIC;
    }
  }

  /**
   * @param maxUsersPerConnection subscriptions one socket (or SSE stream) may hold
   * @param queueSize             changes queued per subscriber before coalescing to the latest per user
   * @param writeQueueBytes       bytes buffered in a socket before it counts as not keeping up
   * @param stuckTimeout          a subscriber whose socket stays full this long is closed with 1008
   * @param heartbeat             SSE keep-alive comment interval
   */
  public record SubscriberLimits(int maxUsersPerConnection, int queueSize, int writeQueueBytes,
                                 Duration stuckTimeout, Duration heartbeat) {
  }

  public static PresenceConfig from(ConfigTree presence) {
    List<String> priority = presence.strings("sourcePriority");
    if (priority.isEmpty() || !LAYERS.containsAll(priority) || Set.copyOf(priority).size() != priority.size()) {
      throw new ConfigException(presence.path("sourcePriority"),
          "must list distinct layers among " + LAYERS + ", got " + priority);
    }
    ConfigTree sub = presence.section("subscriber");
    SubscriberLimits limits = new SubscriberLimits(
        sub.intValue("maxUsersPerConnection", 1, 100_000),
        sub.intValue("queueSize", 1, 1_000_000),
        sub.intValue("writeQueueBytes", 1024, 64 * 1024 * 1024),
        sub.duration("stuckTimeout", Duration.ofMillis(100), Duration.ofHours(1)),
        sub.duration("heartbeat", Duration.ofSeconds(1), Duration.ofHours(1)));
    ConfigTree pubsub = presence.section("pubsub");
    Duration minDelay = pubsub.duration("reconnectMinDelay", Duration.ofMillis(1), Duration.ofMinutes(1));
    Duration maxDelay = pubsub.duration("reconnectMaxDelay", minDelay, Duration.ofMinutes(10));
    ConfigTree calls = presence.section("calls");
    return new PresenceConfig(
        presence.bool("enabled"),
        presence.duration("debounceWindow", Duration.ZERO, Duration.ofMinutes(10)),
        priority,
        presence(presence.section("fallback")),
        presence(calls),
        calls.duration("maxCallDuration", Duration.ofMinutes(1), Duration.ofDays(7)),
        presence.section("api").duration("maxExpiry", Duration.ofSeconds(1), Duration.ofDays(365)),
        limits,
        presence.section("groups").duration("claimTtl", Duration.ofSeconds(1), Duration.ofDays(1)),
        pubsub.enumValue("mode", PubSubMode.class),
        minDelay,
        maxDelay,
        presence.duration("sweepInterval", Duration.ofMillis(10), Duration.ofMinutes(10)),
        presence.section("lease").duration("ttl", Duration.ofMillis(300), Duration.ofMinutes(10)),
        PollerConfig.from(presence.section("poller")));
  }

  private static Presence presence(ConfigTree section) {
    String availability = section.nonEmptyString("availability");
    String activity = section.nonEmptyString("activity");
    try {
      return new Presence(availability, activity);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(section.path("availability"), e.getMessage() + ", got " + availability + "/" + activity);
    }
  }
}
