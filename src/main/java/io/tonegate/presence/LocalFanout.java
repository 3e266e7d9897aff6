package io.tonegate.presence;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subscribers of one event loop, by user. Confined to that loop. Plain subscribers each get every change;
 * members of a subscription group compete: per change and group, one local member (sticky per user) asks Redis for
 * the group's claim on that (user, version) with {@code SET NX}, and only the winner on any instance delivers.
 */
final class LocalFanout {

  private final Context context;
  private final PresenceHub hub;
  private final Redis redis;
  private final PresenceKeys keys;
  private final long claimTtlMs;
  private final PresenceMetrics metrics;
  private final Map<String, Set<PresenceSubscriber>> plain = new HashMap<>();
  private final Map<String, Map<String, List<PresenceSubscriber>>> grouped = new HashMap<>();
  /** The last group claim in flight per group and user (bounded by the users with changes in flight). */
  private final Map<String, Future<Void>> claimsInFlight = new HashMap<>();

  LocalFanout(Context context, PresenceHub hub, Redis redis, PresenceKeys keys, long claimTtlMs,
              PresenceMetrics metrics) {
    this.context = context;
    this.hub = hub;
    this.redis = redis;
    this.keys = keys;
    this.claimTtlMs = claimTtlMs;
    this.metrics = metrics;
  }

  Context context() {
    return context;
  }

  /** Adds {@code subscriber} for {@code users}; completes when every user's topic is subscribed. */
  Future<Void> add(PresenceSubscriber subscriber, Collection<String> users) {
    List<String> fresh = new ArrayList<>();
    for (String user : users) {
      boolean had = plain.containsKey(user) || grouped.containsKey(user);
      if (subscriber.group() == null) {
        plain.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(subscriber);
      } else {
        List<PresenceSubscriber> members = grouped.computeIfAbsent(user, u -> new HashMap<>())
            .computeIfAbsent(subscriber.group(), g -> new ArrayList<>());
        if (!members.contains(subscriber)) {
          members.add(subscriber);
        }
      }
      if (!had) {
        fresh.add(user);
      }
    }
    return fresh.isEmpty() ? Future.succeededFuture() : hub.interest(this, fresh);
  }

  void remove(PresenceSubscriber subscriber, Collection<String> users) {
    List<String> empty = new ArrayList<>();
    for (String user : users) {
      if (subscriber.group() == null) {
        Set<PresenceSubscriber> set = plain.get(user);
        if (set != null && set.remove(subscriber) && set.isEmpty()) {
          plain.remove(user);
        }
      } else {
        Map<String, List<PresenceSubscriber>> groups = grouped.get(user);
        if (groups != null) {
          List<PresenceSubscriber> members = groups.get(subscriber.group());
          if (members != null && members.remove(subscriber) && members.isEmpty()) {
            groups.remove(subscriber.group());
          }
          if (groups.isEmpty()) {
            grouped.remove(user);
          }
        }
      }
      if (!plain.containsKey(user) && !grouped.containsKey(user)) {
        empty.add(user);
      }
    }
    if (!empty.isEmpty()) {
      hub.disinterest(this, empty);
    }
  }

  void deliver(PresenceChange change, String frame) {
    Set<PresenceSubscriber> subscribers = plain.get(change.user());
    if (subscribers != null) {
      // A copy: a delivery may close a subscriber, which removes it from this set.
      for (PresenceSubscriber subscriber : subscribers.toArray(new PresenceSubscriber[0])) {
        subscriber.offer(change, frame);
      }
    }
    Map<String, List<PresenceSubscriber>> groups = grouped.get(change.user());
    if (groups != null) {
      for (Map.Entry<String, List<PresenceSubscriber>> group : groups.entrySet()) {
        deliverToGroup(group.getKey(), change, frame);
      }
    }
  }

  private void deliverToGroup(String group, PresenceChange change, String frame) {
    // One claim in flight per group and user: pooled commands can complete out of order, and a member drops a
    // version older than one it already has, so an unordered claim could silently lose a change for the group.
    String chain = group + '\u0000' + change.user();
    Future<Void> previous = claimsInFlight.getOrDefault(chain, Future.succeededFuture());
    Future<Void> next = previous.transform(v -> claimAndOffer(group, change, frame));
    claimsInFlight.put(chain, next);
    next.onComplete(v -> claimsInFlight.remove(chain, next));
  }

  private Future<Void> claimAndOffer(String group, PresenceChange change, String frame) {
    Request claim = Request.cmd(Command.SET).arg(keys.groupClaim(group, change.user(), change.version())).arg("1")
        .arg("NX").arg("PX").arg(claimTtlMs);
    return redis.send(claim).transform(result -> {
      if (result.failed() || result.result() == null) {
        metrics.groupClaimLost(); // another member won, or Redis is down (fail closed: no duplicate delivery)
        return Future.succeededFuture();
      }
      PresenceSubscriber member = pick(group, change.user());
      if (member != null) {
        member.offer(change, frame);
      }
      return Future.succeededFuture();
    });
  }

  /** The member that gets this user's changes here: sticky per user, skipping members that are falling behind. */
  private PresenceSubscriber pick(String group, String user) {
    Map<String, List<PresenceSubscriber>> groups = grouped.get(user);
    List<PresenceSubscriber> members = groups == null ? null : groups.get(group);
    if (members == null || members.isEmpty()) {
      return null;
    }
    int start = Math.floorMod(user.hashCode(), members.size());
    for (int i = 0; i < members.size(); i++) {
      PresenceSubscriber candidate = members.get((start + i) % members.size());
      if (!candidate.fallingBehind()) {
        return candidate;
      }
    }
    return members.get(start);
  }
}
