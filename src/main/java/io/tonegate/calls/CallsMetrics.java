package io.tonegate.calls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tonegate.observability.Metrics;

import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every meter of call control, in one place. Tags are bounded: operations and outcomes are fixed sets, event types
 * outside the known set are counted as {@code other}, HTTP statuses are three digits.
 */
public final class CallsMetrics {

  /** Event Grid event types counted by name; anything else is {@code other}. */
  static final Set<String> KNOWN_GRID_TYPES = Set.of(GridEvent.INCOMING_CALL, GridEvent.SUBSCRIPTION_VALIDATION,
      "Microsoft.Communication.CallStarted", "Microsoft.Communication.CallEnded");
  /** Callback event names counted by name; anything else is {@code other}. */
  static final Set<String> KNOWN_CALLBACK_TYPES = Set.of("CallConnected", "CallDisconnected",
      "ContinuousDtmfRecognitionToneReceived", "ContinuousDtmfRecognitionToneFailed",
      "ContinuousDtmfRecognitionStopped", "MediaStreamingStarted", "MediaStreamingStopped", "MediaStreamingFailed",
      "ParticipantsUpdated", "AddParticipantSucceeded", "AddParticipantFailed", "CallTransferAccepted",
      "CallTransferFailed", "PlayStarted", "PlayCompleted", "PlayFailed", "PlayCanceled", "RecognizeCompleted",
      "RecognizeFailed", "RecognizeCanceled", "RecordingStateChanged", "RemoveParticipantSucceeded",
      "RemoveParticipantFailed", "SendDtmfTonesCompleted", "SendDtmfTonesFailed", "AnswerFailed",
      "CreateCallFailed", "ConnectFailed", "HoldFailed", "CancelAddParticipantSucceeded",
      "CancelAddParticipantFailed", "TranscriptionStarted", "TranscriptionStopped", "TranscriptionFailed",
      "TranscriptionUpdated", "TranscriptionResumed");

  private final MeterRegistry registry;
  private final Timer answerLatency;

  public CallsMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.answerLatency = Metrics.histogramTimer("tonegate.calls.answer.latency",
            "From an IncomingCall delivery to the answered call's record stored", Metrics.DECISION_BUCKETS)
        .register(registry);
    // Series that dashboards and alerts watch exist at zero from the start (register() returns the same meter).
    for (CallAutomationClient.Operation operation : CallAutomationClient.Operation.values()) {
      automationRequests(operation.metricName(), "circuit_open");
    }
    gridEvents("Microsoft.Communication.IncomingCall", "ignored");
    callbacks("CallDisconnected", "failed");
  }

  private Counter automationRequests(String operation, String status) {
    return Counter.builder("tonegate.calls.automation.requests")
        .description("Call Automation REST attempts by operation and outcome (HTTP status or failure kind)")
        .tags("operation", operation, "status", status)
        .register(registry);
  }

  private Counter gridEvents(String type, String outcome) {
    return Counter.builder("tonegate.calls.eventgrid.events")
        .description("Event Grid events received on /api/events, by type and outcome")
        .tags("type", KNOWN_GRID_TYPES.contains(type) ? shortType(type) : "other", "outcome", outcome)
        .register(registry);
  }

  private Counter callbacks(String name, String outcome) {
    return Counter.builder("tonegate.calls.callbacks")
        .description("Call Automation callback events received on /api/callbacks, by type and outcome")
        .tags("type", KNOWN_CALLBACK_TYPES.contains(name) ? name : "other", "outcome", outcome)
        .register(registry);
  }

  /** One Call Automation attempt's outcome: an HTTP status, or timeout, connection_error, circuit_open, not_configured. */
  public void automationRequest(String operation, String status) {
    automationRequests(operation, status).increment();
  }

  /** Exports the circuit breaker's state (0 closed, 1 half-open, 2 open). */
  public void circuitState(Supplier<CircuitBreaker.State> state) {
    Gauge.builder("tonegate.calls.automation.circuit.state", () -> state.get().gaugeValue())
        .description("Call Automation circuit breaker: 0 closed, 1 half-open (one trial request), 2 open (failing fast)")
        .register(registry);
  }

  /** One Event Grid event and what became of it. */
  public void gridEvent(String type, String outcome) {
    gridEvents(type, outcome).increment();
  }

  /** A webhook request refused before any event was read: {@code endpoint} events|callbacks|call. */
  public void refused(String endpoint, String reason) {
    Counter.builder("tonegate.calls.refused")
        .description("Requests to /api/events, /api/callbacks and /api/call refused (401, 400, 403, 429)")
        .tags("endpoint", endpoint, "reason", reason)
        .register(registry).increment();
  }

  /** One callback event and what became of it. */
  public void callback(String name, String outcome) {
    callbacks(name, outcome).increment();
  }

  /** An outbound call request's outcome (created, rejected, unavailable, ...). */
  public void outboundCall(String outcome) {
    Counter.builder("tonegate.calls.outbound")
        .description("POST /api/call outcomes")
        .tag("outcome", outcome)
        .register(registry).increment();
  }

  public void answerLatency(Duration duration) {
    answerLatency.record(duration);
  }

  private static String shortType(String type) {
    int dot = type.lastIndexOf('.');
    return dot >= 0 ? type.substring(dot + 1) : type;
  }
}
