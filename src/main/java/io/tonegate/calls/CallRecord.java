package io.tonegate.calls;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Tonegate keeps about a call in Redis, as the hash {@code <keyPrefix>call:{<callConnectionId>}} with a TTL
 * ({@code calls.recordTtl}). The caller-authentication flows read it. Field names are a contract:
 *
 * <ul>
 *   <li>{@code callConnectionId}, {@code correlationId}, {@code serverCallId}</li>
 *   <li>{@code ani}: the caller, E.164 for a phone number (PSTN), else the caller's raw id</li>
 *   <li>{@code to}: who was called, same convention</li>
 *   <li>{@code callerRawId}: the caller's raw id ({@code 4:+1...} for a phone)</li>
 *   <li>{@code sipCallId}: the SIP Call-ID an SBC passed along; absent when none</li>
 *   <li>{@code flow}: {@code pstn} | {@code sip} | {@code api} ({@link CallFlow})</li>
 *   <li>{@code state}: {@code connecting} | {@code connected} | {@code disconnected} ({@link CallState})</li>
 *   <li>{@code createdAt}: ISO-8601 UTC instant the record was first written</li>
 * </ul>
 */
public record CallRecord(String callConnectionId, String correlationId, String serverCallId, String ani, String to,
                         String callerRawId, Optional<String> sipCallId, CallFlow flow, CallState state,
                         Instant createdAt) {

  /** The Redis key of a call's record. The braces are a Cluster hash tag, so per-call keys share a slot. */
  public static String key(String keyPrefix, String callConnectionId) {
    return keyPrefix + "call:{" + callConnectionId + "}";
  }

  /** The hash fields, state included. */
  public Map<String, String> fields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("callConnectionId", callConnectionId);
    fields.put("correlationId", correlationId);
    fields.put("serverCallId", serverCallId);
    fields.put("ani", ani);
    fields.put("to", to);
    fields.put("callerRawId", callerRawId);
    sipCallId.ifPresent(id -> fields.put("sipCallId", id));
    fields.put("flow", flow.wireName());
    fields.put("state", state.wireName());
    fields.put("createdAt", createdAt.toString());
    return fields;
  }

  /**
   * Reads a record from its hash; empty when the hash is missing or lacks the identifying fields (a record created
   * by an early state update only).
   */
  public static Optional<CallRecord> fromFields(Map<String, String> fields) {
    String id = fields.get("callConnectionId");
    String flow = fields.get("flow");
    if (id == null || flow == null) {
      return Optional.empty();
    }
    CallFlow parsedFlow;
    try {
      parsedFlow = CallFlow.valueOf(flow.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Instant created;
    try {
      created = Instant.parse(fields.getOrDefault("createdAt", ""));
    } catch (java.time.format.DateTimeParseException e) {
      created = Instant.EPOCH;
    }
    return Optional.of(new CallRecord(id, fields.getOrDefault("correlationId", ""),
        fields.getOrDefault("serverCallId", ""), fields.getOrDefault("ani", ""), fields.getOrDefault("to", ""),
        fields.getOrDefault("callerRawId", ""), Optional.ofNullable(fields.get("sipCallId")), parsedFlow,
        CallState.fromWireName(fields.getOrDefault("state", "")).orElse(CallState.CONNECTING), created));
  }

  /** The caller as an identifier (the target of continuous DTMF recognition). */
  public Optional<AcsIdentifier> caller() {
    return callerRawId.isEmpty() ? Optional.empty() : Optional.of(AcsIdentifier.fromRawId(callerRawId));
  }
}
