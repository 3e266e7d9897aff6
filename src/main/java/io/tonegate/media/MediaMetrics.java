package io.tonegate.media;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Every {@code tonegate.media.*} meter, built once per process; tags are bounded enums or fixed labels. */
final class MediaMetrics {

  private final MeterRegistry registry;
  final AtomicInteger active = new AtomicInteger();
  /** Outbound frames queued (not yet handed to a socket) over every stream of this process. */
  final AtomicInteger outboundQueued = new AtomicInteger();
  final Counter opened;
  final Counter framesReceived;
  final Counter bytesReceived;
  final Counter unknownMessages;
  final Counter outboundFrames;
  final Counter outboundDropped;
  final Counter observerErrors;
  final Timer frameProcessing;
  private final Map<MediaProtocolException.Kind, Counter> parseErrors =
      new EnumMap<>(MediaProtocolException.Kind.class);
  private final Map<DigitSource, Counter> digits = new EnumMap<>(DigitSource.class);
  private final Map<DigitSource, Counter> duplicateDigits = new EnumMap<>(DigitSource.class);
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();

  MediaMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("tonegate.media.streams.active", active, AtomicInteger::get)
        .description("Media streams open now on this gateway process").register(registry);
    opened = Counter.builder("tonegate.media.streams.opened")
        .description("Media WebSocket upgrades accepted").register(registry);
    framesReceived = Counter.builder("tonegate.media.frames.received")
        .description("AudioData messages received").register(registry);
    bytesReceived = Counter.builder("tonegate.media.received.bytes")
        .description("Bytes of inbound media messages (JSON as received)").baseUnit("bytes").register(registry);
    unknownMessages = Counter.builder("tonegate.media.messages.unknown")
        .description("Inbound messages of a kind the gateway does not act on (ignored)").register(registry);
    outboundFrames = Counter.builder("tonegate.media.outbound.frames")
        .description("Outbound AudioData messages written (prompt audio)").register(registry);
    Gauge.builder("tonegate.media.outbound.queued", outboundQueued, AtomicInteger::get)
        .description("Outbound 20 ms frames queued for streams whose peer has not taken them yet (at most "
            + "media.outbound.maxQueuedFrames per stream)").register(registry);
    outboundDropped = Counter.builder("tonegate.media.outbound.dropped")
        .description("Outbound 20 ms frames dropped because the stream's queue was full (oldest first)")
        .register(registry);
    observerErrors = Counter.builder("tonegate.media.observer.errors")
        .description("Exceptions thrown by session observers or audio consumers (logged, call kept)")
        .register(registry);
    frameProcessing = Metrics.histogramTimer("tonegate.media.frame.processing",
        "Time to parse, decode and process one AudioData message, DTMF included", Metrics.FAST_BUCKETS)
        .register(registry);
    for (MediaProtocolException.Kind kind : MediaProtocolException.Kind.values()) {
      parseErrors.put(kind, Counter.builder("tonegate.media.parse.errors")
          .description("Inbound messages refused, by kind of error").tag("kind", kind.tag()).register(registry));
    }
    refusedCounter("capacity"); // exists at zero: the capacity alert watches it
    for (DigitSource source : DigitSource.values()) {
      String tag = source.name().toLowerCase(java.util.Locale.ROOT);
      // No per-key tag: /metrics is unauthenticated, and per-key counters on a quiet instance would reveal the codes
      // callers type.
      digits.put(source, Counter.builder("tonegate.media.digits")
          .description("Key presses reported to observers, by the source that saw them first")
          .tag("source", tag).register(registry));
      duplicateDigits.put(source, Counter.builder("tonegate.media.digits.duplicates")
          .description("Digits dropped as another source's report of an already counted press")
          .tag("source", tag).register(registry));
    }
  }

  void parseError(MediaProtocolException.Kind kind) {
    parseErrors.get(kind).increment();
  }

  void digit(DigitSource source, boolean isNew) {
    (isNew ? digits : duplicateDigits).get(source).increment();
  }

  /** {@code reason} is one of a fixed set of labels (see {@link MediaConnection}). */
  void closed(String reason) {
    closed.computeIfAbsent(reason, r -> Counter.builder("tonegate.media.streams.closed")
        .description("Media streams closed, by reason").tag("reason", r).register(registry)).increment();
  }

  /** {@code reason} is a WebSocketRejection reason (a fixed set of labels). */
  void refused(String reason) {
    refusedCounter(reason).increment();
  }

  private Counter refusedCounter(String reason) {
    return refused.computeIfAbsent(reason, r -> Counter.builder("tonegate.media.upgrades.refused")
        .description("Media WebSocket upgrades refused, by reason").tag("reason", r).register(registry));
  }
}
