package io.tonegate.calls;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code data} of a {@code Microsoft.Communication.IncomingCall} event (acs-wire.md §2.1), validated.
 *
 * @param to who was called
 * @param from who calls
 * @param serverCallId the server call id
 * @param incomingCallContext the opaque context to hand back in {@code :answer}
 * @param correlationId the call's correlation id (logs, media upgrade header)
 * @param callerDisplayName display name, empty when absent
 * @param sipHeaders {@code customContext.sipHeaders}, empty when absent
 */
public record IncomingCall(AcsIdentifier to, AcsIdentifier from, String serverCallId, String incomingCallContext,
                           String correlationId, String callerDisplayName, Map<String, String> sipHeaders) {

  /** Longest incomingCallContext accepted (real ones are a few KB of base64). */
  public static final int MAX_CONTEXT_LENGTH = 16_384;

  /**
   * Reads the event data.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static IncomingCall fromEventData(JsonObject data) {
    AcsIdentifier to = AcsIdentifier.fromModel(object(data, "to"));
    AcsIdentifier from = AcsIdentifier.fromModel(object(data, "from"));
    String context = string(data, "incomingCallContext", true);
    if (context.length() > MAX_CONTEXT_LENGTH) {
      throw new IllegalArgumentException("incomingCallContext is too long");
    }
    Map<String, String> sipHeaders = Map.of();
    if (data.getValue("customContext") instanceof JsonObject custom
        && custom.getValue("sipHeaders") instanceof JsonObject headers) {
      java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
      headers.forEach(entry -> {
        if (entry.getValue() instanceof String value) {
          copy.put(entry.getKey(), value);
        }
      });
      sipHeaders = Map.copyOf(copy);
    }
    return new IncomingCall(to, from, string(data, "serverCallId", false), context,
        string(data, "correlationId", true), string(data, "callerDisplayName", false), sipHeaders);
  }

  /** The SIP Call-ID from the first of {@code headerNames} present (case-insensitive), if any. */
  public Optional<String> sipCallId(List<String> headerNames) {
    for (String name : headerNames) {
      for (Map.Entry<String, String> header : sipHeaders.entrySet()) {
        if (header.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))
            && !header.getValue().isBlank()) {
          return Optional.of(header.getValue().trim());
        }
      }
    }
    return Optional.empty();
  }

  private static JsonObject object(JsonObject data, String key) {
    if (!(data.getValue(key) instanceof JsonObject object)) {
      throw new IllegalArgumentException(key + " is missing");
    }
    return object;
  }

  private static String string(JsonObject data, String key, boolean required) {
    Object value = data.getValue(key);
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    if (required) {
      throw new IllegalArgumentException(key + " is missing");
    }
    return "";
  }
}
