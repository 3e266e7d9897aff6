package io.tonegate.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The presence meters, built once (the publication counter lives in {@link PresenceStore}). */
public final class PresenceMetrics {

  private final MeterRegistry registry;
  private final Counter deliveries;
  private final Counter snapshots;
  private final Counter coalesced;
  private final Counter slowClosed;
  private final Counter groupSkipped;
  private final Timer latency;
  private final AtomicInteger subscribers = new AtomicInteger();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> pollRequests = new ConcurrentHashMap<>();

  public PresenceMetrics(MeterRegistry registry) {
    this.registry = registry;
    registerCommonSeries();
    this.deliveries = Counter.builder("tonegate.presence.deliveries")
        .description("Presence changes written to subscribers (WebSocket and SSE)").register(registry);
    this.snapshots = Counter.builder("tonegate.presence.snapshots")
        .description("Presence snapshots written to subscribers (on subscribe and reconnect catch-up)").register(registry);
    this.coalesced = Counter.builder("tonegate.presence.coalesced")
        .description("Queued presence changes dropped because a newer state of the same user replaced them (slow subscriber)")
        .register(registry);
    this.slowClosed = Counter.builder("tonegate.presence.slow.closed")
        .description("Subscribers closed with 1008 because their socket stayed full past presence.subscriber.stuckTimeout")
        .register(registry);
    this.groupSkipped = Counter.builder("tonegate.presence.group.claims.lost")
        .description("Group deliveries not made here because another member (on any instance) claimed the change")
        .register(registry);
    this.latency = Metrics.histogramTimer("tonegate.presence.delivery.latency",
        "Time from a presence change's publication to its write to a subscriber", Metrics.DECISION_BUCKETS)
        .register(registry);
    Gauge.builder("tonegate.presence.subscribers", subscribers, AtomicInteger::get)
        .description("Open presence subscriber connections (WebSocket and SSE) on this instance").register(registry);
  }

  void delivered(long publishedAtMs, long nowMs) {
    deliveries.increment();
    if (publishedAtMs > 0) {
      latency.record(Math.max(0, nowMs - publishedAtMs), TimeUnit.MILLISECONDS);
    }
  }

  void snapshot() {
    snapshots.increment();
  }

  void coalesced(int count) {
    if (count > 0) {
      coalesced.increment(count);
    }
  }

  void slowClosed() {
    slowClosed.increment();
  }

  void groupClaimLost() {
    groupSkipped.increment();
  }

  void subscriberOpened() {
    subscribers.incrementAndGet();
  }

  void subscriberClosed() {
    subscribers.decrementAndGet();
  }

  public int subscribers() {
    return subscribers.get();
  }

  /** A refused subscription or write, by a bounded reason ({@code missing_token}, {@code revoked}, ...). */
  void refused(String endpoint, String reason) {
    refusedCounter(endpoint, reason).increment();
  }

  private Counter refusedCounter(String endpoint, String reason) {
    return refused.computeIfAbsent(endpoint + "/" + reason, k -> Counter.builder("tonegate.presence.refused")
        .description("Presence requests and subscriptions refused, by endpoint and reason")
        .tag("endpoint", endpoint).tag("reason", reason).register(registry));
  }

  /** One poller request by outcome ({@code 200}, {@code 429}, {@code 4xx}, {@code 5xx}, {@code error}, ...). */
  void pollRequest(String status) {
    pollCounter(status).increment();
  }

  private Counter pollCounter(String status) {
    return pollRequests.computeIfAbsent(status, k -> Counter.builder("tonegate.presence.poller.requests")
        .description("Presence poller requests to the external presence API, by status")
        .tag("status", status).register(registry));
  }

  /** The series dashboards watch exist at zero from the start. */
  private void registerCommonSeries() {
    refusedCounter("ws", "missing_token");
    pollCounter("200");
    pollCounter("429");
  }
}
