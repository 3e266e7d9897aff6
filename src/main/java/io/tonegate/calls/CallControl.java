package io.tonegate.calls;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Call control for the rest of Tonegate: answers incoming calls, places outbound ones, hangs up, keeps the call
 * records, and tells {@link CallEventListener}s what the callbacks report. One per process.
 *
 * <p>Public API for other capabilities: {@link #findCall}, {@link #hangUp}, {@link #terminate},
 * {@link #addListener}.
 */
public final class CallControl {

  private static final Logger LOG = LoggerFactory.getLogger(CallControl.class);
  /** operationContext Tonegate puts on its requests, echoed in callbacks. */
  public static final String OPERATION_CONTEXT = "tonegate";

  /** What became of one IncomingCall event (the {@code outcome} tag). */
  public enum IncomingOutcome {
    ANSWERED, DUPLICATE, NOT_SERVED, REJECTED, FAILED;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final CallsConfig config;
  private final CallAutomationClient automation;
  private final CallStore store;
  private final CallsMetrics metrics;
  private final AnswerRules rules;
  private final String callbackUri;
  private final String mediaTransportUrl;
  private final Clock clock;
  private final List<CallEventListener> listeners = new CopyOnWriteArrayList<>();
  private volatile Consumer<JsonObject> relay = event -> { };

  /**
   * @param publicUrl the gateway's public base URL (callbacks go to {@code <publicUrl>/api/callbacks})
   * @param publicWebSocketUrl its WebSocket form (media streams to {@code <publicWebSocketUrl>/ws/media})
   */
  public CallControl(CallsConfig config, CallAutomationClient automation, CallStore store, CallsMetrics metrics,
                     String publicUrl, String publicWebSocketUrl, Clock clock) {
    this.config = config;
    this.automation = automation;
    this.store = store;
    this.metrics = metrics;
    this.rules = new AnswerRules(config.incoming().serve());
    this.callbackUri = publicUrl + "/api/callbacks";
    this.mediaTransportUrl = publicWebSocketUrl + "/ws/media";
    this.clock = clock;
  }

  public void addListener(CallEventListener listener) {
    listeners.add(listener);
  }

  public CallAutomationClient automation() {
    return automation;
  }

  public CallStore store() {
    return store;
  }

  public String callbackUri() {
    return callbackUri;
  }

  public String mediaTransportUrl() {
    return mediaTransportUrl;
  }

  /** The record of a call, empty when unknown or already ended. */
  public Future<Optional<CallRecord>> findCall(String callConnectionId) {
    return store.findCall(callConnectionId);
  }

  /**
   * Hangs up a call Tonegate is in (the caller failed authentication, the session ended...): ACS drops Tonegate from
   * the call, which ends a 1:1 call; the CallDisconnected callback then cleans up. Fails with a
   * {@link CallAutomationException} when ACS cannot be reached.
   */
  public Future<Void> hangUp(String callConnectionId, String reason) {
    LOG.info("hanging up call {}: {}", callConnectionId, reason);
    return automation.hangUp(callConnectionId)
        .onFailure(e -> LOG.warn("hang-up of call {} failed: {}", callConnectionId, e.getMessage()));
  }

  /** Ends a call for every participant ({@code :terminate}). */
  public Future<Void> terminate(String callConnectionId, String reason) {
    LOG.info("terminating call {}: {}", callConnectionId, reason);
    return automation.terminateCall(callConnectionId)
        .onFailure(e -> LOG.warn("termination of call {} failed: {}", callConnectionId, e.getMessage()));
  }

  /**
   * Acts on one IncomingCall event: once per event id, answers it when a rule serves its {@code to}, with media
   * streaming to Tonegate, and stores the call record. A transient failure releases the event id, so Event Grid's
   * redelivery tries again.
   */
  public Future<IncomingOutcome> answerIncoming(String eventId, IncomingCall call) {
    Instant started = clock.instant();
    return store.claimEvent("eventgrid", eventId, config.eventGrid().dedupTtl()).compose(first -> {
      if (!first) {
        LOG.info("IncomingCall event {} (correlation {}) was delivered before; not answering again", eventId,
            call.correlationId());
        return Future.succeededFuture(IncomingOutcome.DUPLICATE);
      }
      if (!rules.serves(call.to())) {
        LOG.info("IncomingCall to {} (correlation {}) is not served by calls.incoming.serve; left ringing",
            call.to().rawId(), call.correlationId());
        return Future.succeededFuture(IncomingOutcome.NOT_SERVED);
      }
      Optional<String> sipCallId = call.sipCallId(config.incoming().sipCallIdHeaders());
      CallFlow flow = CallFlow.ofIncoming(sipCallId.isPresent());
      return automation.answerCall(CallAutomationRequests.answerCall(call.incomingCallContext(), callbackUri,
              OPERATION_CONTEXT, CallAutomationRequests.mediaStreamingOptions(config.mediaStreaming(), mediaTransportUrl)))
          .compose(connection -> {
            CallRecord record = new CallRecord(connection.callConnectionId(), call.correlationId(),
                connection.serverCallId().isEmpty() ? call.serverCallId() : connection.serverCallId(),
                call.from().displayId(), call.to().displayId(), call.from().rawId(), sipCallId, flow,
                CallState.fromConnectionState(connection.state()), clock.instant());
            return store.saveCall(record, config.recordTtl()).map(v -> {
              metrics.answerLatency(Duration.between(started, clock.instant()));
              LOG.info("answered call {} from {} to {} (flow {}, correlation {})", record.callConnectionId(),
                  record.ani(), record.to(), flow.wireName(), record.correlationId());
              return IncomingOutcome.ANSWERED;
            });
          })
          .recover(error -> {
            if (error instanceof CallAutomationException e && !e.transientFailure()) {
              LOG.warn("IncomingCall (correlation {}) not answered: {}", call.correlationId(), e.getMessage());
              return Future.succeededFuture(IncomingOutcome.REJECTED);
            }
            LOG.warn("IncomingCall (correlation {}) not answered, Event Grid may redeliver: {}", call.correlationId(),
                error.getMessage());
            return store.releaseEvent("eventgrid", eventId).otherwiseEmpty().map(IncomingOutcome.FAILED);
          });
    });
  }

  /**
   * Acts on one callback event, once per event id. Fails (and releases the id for a redelivery) only when Redis
   * cannot be reached.
   *
   * @return the outcome tag: {@code handled}, {@code duplicate} or {@code ignored}
   */
  public Future<String> handleCallback(CallbackEvent event) {
    return store.claimEvent("callback", event.id(), config.callbackDedupTtl()).compose(first -> {
      if (!first) {
        return Future.succeededFuture("duplicate");
      }
      return dispatch(event).recover(error -> store.releaseEvent("callback", event.id()).otherwiseEmpty()
          .compose(v -> Future.failedFuture(error)));
    });
  }

  private Future<String> dispatch(CallbackEvent event) {
    String id = event.callConnectionId();
    switch (event.name()) {
      case CallbackEvent.CALL_CONNECTED:
        return store.updateState(id, CallState.CONNECTED, config.recordTtl()).map(v -> {
          LOG.info("call {} connected (correlation {})", id, event.correlationId());
          emit(new JsonObject().put("type", "connected").put("id", id));
          startContinuousDtmf(id);
          return "handled";
        });
      case CallbackEvent.CALL_DISCONNECTED:
        return store.deleteCall(id).map(existed -> {
          LOG.info("call {} disconnected (correlation {}, result {}); record {}", id, event.correlationId(),
              event.resultCode().isPresent() ? event.resultCode().getAsInt() : "-",
              existed ? "deleted" : "already gone");
          emit(new JsonObject().put("type", "disconnected").put("id", id));
          return "handled";
        });
      case CallbackEvent.TONE_RECEIVED:
        char digit = event.tone().orElseThrow();
        int sequence = event.sequenceId().isPresent() ? event.sequenceId().getAsInt() : -1;
        LOG.debug("call {}: tone {} (sequence {}) from Call Automation", id, digit, sequence);
        emit(new JsonObject().put("type", "tone").put("id", id).put("digit", String.valueOf(digit))
            .put("sequenceId", sequence));
        return Future.succeededFuture("handled");
      case CallbackEvent.MEDIA_STREAMING_STARTED:
      case CallbackEvent.MEDIA_STREAMING_STOPPED:
      case CallbackEvent.MEDIA_STREAMING_FAILED:
        if (CallbackEvent.MEDIA_STREAMING_FAILED.equals(event.name())) {
          LOG.warn("call {}: media streaming failed ({} / {}, result {} {})", id, event.mediaStreamingStatus(),
              event.mediaStreamingStatusDetails(), event.resultCode().isPresent() ? event.resultCode().getAsInt() : "-",
              event.resultMessage());
        } else {
          LOG.info("call {}: {} ({})", id, event.name(), event.mediaStreamingStatusDetails());
        }
        emit(new JsonObject().put("type", "media").put("id", id).put("event", event.name())
            .put("status", event.mediaStreamingStatus()).put("details", event.mediaStreamingStatusDetails()));
        return Future.succeededFuture("handled");
      default:
        LOG.debug("call {}: callback {} not acted on", id, event.name());
        return Future.succeededFuture("ignored");
    }
  }

  private void startContinuousDtmf(String callConnectionId) {
    if (!config.continuousDtmfRecognition()) {
      return;
    }
    store.findCall(callConnectionId).compose(record -> {
      Optional<AcsIdentifier> target = record.flatMap(CallRecord::caller);
      if (target.isEmpty()) {
        return Future.succeededFuture();
      }
      return automation.startContinuousDtmfRecognition(callConnectionId, target.get(), OPERATION_CONTEXT);
    }).onFailure(e -> LOG.warn("call {}: continuous DTMF recognition not started: {}", callConnectionId,
        e.getMessage()));
  }

  /** Where events also go to other gateway processes; none in a single-process setup. */
  void setRelay(Consumer<JsonObject> relay) {
    this.relay = relay;
  }

  /** Tells this process's listeners, and the other processes through the relay. */
  private void emit(JsonObject event) {
    deliverLocally(event);
    relay.accept(event);
  }

  /**
   * Hands a call event (local, or relayed from another process) to this process's listeners. Unknown or malformed
   * events are ignored.
   */
  void deliverLocally(JsonObject event) {
    String id = event.getString("id");
    if (id == null) {
      return;
    }
    switch (event.getString("type", "")) {
      case "connected" -> notify(listener -> listener.onCallConnected(id));
      case "disconnected" -> notify(listener -> listener.onCallDisconnected(id));
      case "tone" -> {
        String digit = event.getString("digit", "");
        if (digit.length() == 1) {
          int sequence = event.getInteger("sequenceId", -1);
          notify(listener -> listener.onTone(id, digit.charAt(0), sequence));
        }
      }
      case "media" -> notify(listener -> listener.onMediaStreaming(id, event.getString("event", ""),
          event.getString("status", ""), event.getString("details", "")));
      default -> { }
    }
  }

  private void notify(Consumer<CallEventListener> action) {
    for (CallEventListener listener : listeners) {
      try {
        action.accept(listener);
      } catch (RuntimeException e) {
        LOG.error("call event listener {} failed", listener.getClass().getName(), e);
      }
    }
  }
}
