package io.tonegate.calls;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One Call Automation callback event (acs-wire.md §3.7): a CloudEvent whose {@code type} is
 * {@code Microsoft.Communication.<name>}. Parsed the way the SDK's {@code CallAutomationEventParser} reads them
 * ({@code CloudEvent.fromString}: a single object or an array; {@code id}, {@code source} and {@code type} mandatory),
 * plus the fields of the events the 1.0.4 SDK does not know (continuous DTMF, media streaming).
 *
 * @param id the CloudEvent id
 * @param name the event name without the {@code Microsoft.Communication.} prefix, e.g. {@code CallConnected}
 * @param callConnectionId the call it is about
 * @param serverCallId server call id, empty when absent
 * @param correlationId correlation id, empty when absent
 * @param operationContext the operation context we sent, empty when absent
 * @param resultCode {@code resultInformation.code}, when present
 * @param resultSubCode {@code resultInformation.subCode}, when present
 * @param resultMessage {@code resultInformation.message}, empty when absent
 * @param tone for ContinuousDtmfRecognitionToneReceived: the digit ({@code 0-9 * # A-D})
 * @param sequenceId for ContinuousDtmfRecognitionToneReceived: the tone's sequence number
 * @param mediaStreamingStatus for MediaStreaming*: {@code mediaStreamingUpdate.mediaStreamingStatus}
 * @param mediaStreamingStatusDetails for MediaStreaming*: {@code mediaStreamingUpdate.mediaStreamingStatusDetails}
 */
public record CallbackEvent(String id, String name, String callConnectionId, String serverCallId,
                            String correlationId, String operationContext, OptionalInt resultCode,
                            OptionalInt resultSubCode, String resultMessage, Optional<Character> tone,
                            OptionalInt sequenceId, String mediaStreamingStatus,
                            String mediaStreamingStatusDetails) {

  public static final String TYPE_PREFIX = "Microsoft.Communication.";
  public static final String CALL_CONNECTED = "CallConnected";
  public static final String CALL_DISCONNECTED = "CallDisconnected";
  public static final String TONE_RECEIVED = "ContinuousDtmfRecognitionToneReceived";
  public static final String MEDIA_STREAMING_STARTED = "MediaStreamingStarted";
  public static final String MEDIA_STREAMING_STOPPED = "MediaStreamingStopped";
  public static final String MEDIA_STREAMING_FAILED = "MediaStreamingFailed";
  /** A callback batch larger than this is refused (ACS sends one event per request). */
  public static final int MAX_EVENTS = 100;

  /** A refused callback body; the message is safe to return. */
  public static final class MalformedCallbackException extends Exception {
    public MalformedCallbackException(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Parses a callback body (a CloudEvent array or a single CloudEvent). The whole body is checked first. */
  public static List<CallbackEvent> parseAll(String body) throws MalformedCallbackException {
    String trimmed = body == null ? "" : body.trim();
    JsonArray array;
    try {
      if (trimmed.startsWith("[")) {
        array = new JsonArray(trimmed);
      } else if (trimmed.startsWith("{")) {
        array = new JsonArray().add(new JsonObject(trimmed));
      } else {
        throw new MalformedCallbackException("the body is not a JSON array or object");
      }
    } catch (DecodeException e) {
      throw new MalformedCallbackException("the body is not valid JSON");
    }
    if (array.isEmpty() || array.size() > MAX_EVENTS) {
      throw new MalformedCallbackException("a callback carries 1 to " + MAX_EVENTS + " events");
    }
    List<CallbackEvent> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject event)) {
        throw new MalformedCallbackException("event " + i + " is not an object");
      }
      events.add(parse(event, i));
    }
    return List.copyOf(events);
  }

  private static CallbackEvent parse(JsonObject event, int index) throws MalformedCallbackException {
    String id = required(event, "id", index);
    required(event, "source", index);
    String type = required(event, "type", index);
    if (id.length() > EventGridDelivery.MAX_ID_LENGTH) {
      throw new MalformedCallbackException("event " + index + " has an id that is too long");
    }
    String name = type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    if (!(event.getValue("data") instanceof JsonObject data)) {
      throw new MalformedCallbackException("event " + index + " has no data object");
    }
    String callConnectionId = text(data, "callConnectionId");
    if (callConnectionId.isEmpty() || callConnectionId.length() > 128) {
      throw new MalformedCallbackException("event " + index + " has no valid data.callConnectionId");
    }
    OptionalInt code = OptionalInt.empty();
    OptionalInt subCode = OptionalInt.empty();
    String message = "";
    if (data.getValue("resultInformation") instanceof JsonObject result) {
      code = integer(result, "code");
      subCode = integer(result, "subCode");
      message = text(result, "message");
    }
    Optional<Character> tone = Optional.empty();
    OptionalInt sequenceId = OptionalInt.empty();
    if (TONE_RECEIVED.equals(name)) {
      tone = toneDigit(text(data, "tone"));
      sequenceId = integer(data, "sequenceId");
      if (tone.isEmpty()) {
        throw new MalformedCallbackException("event " + index + " has no valid tone");
      }
    }
    String status = "";
    String details = "";
    if (data.getValue("mediaStreamingUpdate") instanceof JsonObject update) {
      status = text(update, "mediaStreamingStatus");
      details = text(update, "mediaStreamingStatusDetails");
    }
    return new CallbackEvent(id, name, callConnectionId, text(data, "serverCallId"), text(data, "correlationId"),
        text(data, "operationContext"), code, subCode, message, tone, sequenceId, status, details);
  }

  /**
   * The digit of a Call Automation {@code Tone} value (acs-wire.md §3.6: zero..nine, a..d, pound, asterisk),
   * case-insensitive; single characters ({@code 5}, {@code #}, {@code A}) are accepted as older previews sent them.
   */
  public static Optional<Character> toneDigit(String tone) {
    if (tone == null) {
      return Optional.empty();
    }
    String t = tone.trim().toLowerCase(Locale.ROOT);
    Character digit = switch (t) {
      case "zero", "0" -> '0';
      case "one", "1" -> '1';
      case "two", "2" -> '2';
      case "three", "3" -> '3';
      case "four", "4" -> '4';
      case "five", "5" -> '5';
      case "six", "6" -> '6';
      case "seven", "7" -> '7';
      case "eight", "8" -> '8';
      case "nine", "9" -> '9';
      case "a" -> 'A';
      case "b" -> 'B';
      case "c" -> 'C';
      case "d" -> 'D';
      case "pound", "#" -> '#';
      case "asterisk", "*" -> '*';
      default -> null;
    };
    return Optional.ofNullable(digit);
  }

  /** The Call Automation {@code Tone} value of a digit (the inverse of {@link #toneDigit}). */
  public static String toneName(char digit) {
    return switch (Character.toUpperCase(digit)) {
      case '0' -> "zero";
      case '1' -> "one";
      case '2' -> "two";
      case '3' -> "three";
      case '4' -> "four";
      case '5' -> "five";
      case '6' -> "six";
      case '7' -> "seven";
      case '8' -> "eight";
      case '9' -> "nine";
      case 'A' -> "a";
      case 'B' -> "b";
      case 'C' -> "c";
      case 'D' -> "d";
      case '#' -> "pound";
      case '*' -> "asterisk";
      default -> throw new IllegalArgumentException("not a DTMF digit: " + digit);
    };
  }

  private static String required(JsonObject event, String key, int index) throws MalformedCallbackException {
    if (!(event.getValue(key) instanceof String value) || value.isBlank()) {
      throw new MalformedCallbackException("event " + index + " has no " + key
          + " ('id', 'source' and 'type' are mandatory attributes for a CloudEvent)");
    }
    return value;
  }

  private static String text(JsonObject object, String key) {
    return object.getValue(key) instanceof String s ? s : "";
  }

  private static OptionalInt integer(JsonObject object, String key) {
    return object.getValue(key) instanceof Number n ? OptionalInt.of(n.intValue()) : OptionalInt.empty();
  }
}
