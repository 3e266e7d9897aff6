package io.tonegate.caller;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where caller-authentication outcomes go: in-process listeners (presence, calls, operators' tooling in the same
 * process) and a Redis pub/sub channel, {@code <keyPrefix><caller.eventsChannel>} (default {@code tg:call-events}),
 * for other instances and other programs. The channel carries {@link CallerOutcomeEvent#toJson()}; other modules may
 * publish their own call events on it, told apart by {@code type}.
 *
 * <p>Listeners run on the event loop of the call that decided: keep them short and non-blocking. A listener that
 * throws is logged and does not affect the others. Publishing to Redis is best effort (pub/sub has no delivery
 * guarantee); a failure is counted in {@code tonegate.caller.events.failures}.
 */
public final class CallerEvents {

  private static final Logger LOG = LoggerFactory.getLogger(CallerEvents.class);

  private final Redis redis;
  private final String channel;
  private final CopyOnWriteArrayList<Consumer<CallerOutcomeEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Counter failures;

  public CallerEvents(Redis redis, String channel, MeterRegistry registry) {
    this.redis = redis;
    this.channel = channel;
    this.failures = Counter.builder("tonegate.caller.events.failures")
        .description("Caller outcome events that could not be published on the Redis channel")
        .register(registry);
  }

  /** The full Redis channel name. */
  public String channel() {
    return channel;
  }

  /** Adds a listener; close the returned handle to remove it. */
  public AutoCloseable subscribe(Consumer<CallerOutcomeEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Delivers {@code event} to the listeners and publishes it on the channel. */
  public void publish(CallerOutcomeEvent event) {
    for (Consumer<CallerOutcomeEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.error("a caller-outcome listener failed", e);
      }
    }
    redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(event.toJson().encode())).onFailure(e -> {
      failures.increment();
      LOG.warn("could not publish the outcome of call {} on {}: {}", event.callConnectionId(), channel, e.toString());
    });
  }
}
