package io.tonegate.calls;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses an Event Grid webhook body: a JSON array of EventGridEvents (acs-wire.md §2.1), one CloudEvent
 * ({@code application/cloudevents+json}) or an array of CloudEvents ({@code application/cloudevents-batch+json},
 * §2.3). The whole delivery is checked before anything is acted on: one malformed event refuses the delivery.
 *
 * @param schema the envelope of every event (a delivery never mixes them)
 * @param events the events, in delivery order
 */
public record EventGridDelivery(GridEvent.Schema schema, List<GridEvent> events) {

  /** Event Grid sends at most 5,000 events per batch; more is not a delivery. */
  public static final int MAX_EVENTS = 5_000;
  /** Event ids become Redis keys; real ones are GUIDs. */
  public static final int MAX_ID_LENGTH = 256;

  /** A refused body: {@link #reason} is safe to return to the client. */
  public static final class MalformedDeliveryException extends Exception {
    public MalformedDeliveryException(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Parses {@code body}; never throws anything but {@link MalformedDeliveryException}. */
  public static EventGridDelivery parse(String body) throws MalformedDeliveryException {
    Object json;
    try {
      String trimmed = body == null ? "" : body.trim();
      if (trimmed.startsWith("[")) {
        json = new JsonArray(trimmed);
      } else if (trimmed.startsWith("{")) {
        json = new JsonObject(trimmed);
      } else {
        throw new MalformedDeliveryException("the body is not a JSON array or object");
      }
    } catch (DecodeException e) {
      throw new MalformedDeliveryException("the body is not valid JSON");
    }
    if (json instanceof JsonObject single) {
      if (!single.containsKey("specversion")) {
        throw new MalformedDeliveryException("a single event must be a CloudEvent; EventGridEvents come in an array");
      }
      return new EventGridDelivery(GridEvent.Schema.CLOUD_EVENTS, List.of(cloudEvent(single, 0)));
    }
    JsonArray array = (JsonArray) json;
    if (array.isEmpty()) {
      throw new MalformedDeliveryException("the delivery has no events");
    }
    if (array.size() > MAX_EVENTS) {
      throw new MalformedDeliveryException("the delivery has more than " + MAX_EVENTS + " events");
    }
    GridEvent.Schema schema = null;
    List<GridEvent> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject object)) {
        throw new MalformedDeliveryException("event " + i + " is not an object");
      }
      GridEvent.Schema itemSchema = object.containsKey("specversion") ? GridEvent.Schema.CLOUD_EVENTS
          : GridEvent.Schema.EVENT_GRID;
      if (schema != null && schema != itemSchema) {
        throw new MalformedDeliveryException("the delivery mixes EventGridEvents and CloudEvents");
      }
      schema = itemSchema;
      events.add(itemSchema == GridEvent.Schema.CLOUD_EVENTS ? cloudEvent(object, i) : eventGridEvent(object, i));
    }
    return new EventGridDelivery(schema, List.copyOf(events));
  }

  /** The validation code when this delivery is the subscription-validation handshake (EventGridEvent schema). */
  public Optional<String> validationCode() {
    for (GridEvent event : events) {
      if (GridEvent.SUBSCRIPTION_VALIDATION.equals(event.type())
          && event.data().getValue("validationCode") instanceof String code && !code.isBlank()) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }

  private static GridEvent eventGridEvent(JsonObject event, int index) throws MalformedDeliveryException {
    String id = requiredString(event, "id", index);
    String type = requiredString(event, "eventType", index);
    return new GridEvent(GridEvent.Schema.EVENT_GRID, id, type, optionalString(event, "subject", index),
        data(event, index));
  }

  private static GridEvent cloudEvent(JsonObject event, int index) throws MalformedDeliveryException {
    String id = requiredString(event, "id", index);
    requiredString(event, "source", index);
    String type = requiredString(event, "type", index);
    if (!"1.0".equals(event.getValue("specversion"))) {
      throw new MalformedDeliveryException("event " + index + " has specversion other than \"1.0\"");
    }
    return new GridEvent(GridEvent.Schema.CLOUD_EVENTS, id, type, optionalString(event, "subject", index),
        data(event, index));
  }

  private static String requiredString(JsonObject event, String key, int index) throws MalformedDeliveryException {
    if (!(event.getValue(key) instanceof String value) || value.isBlank()) {
      throw new MalformedDeliveryException("event " + index + " has no " + key);
    }
    if ("id".equals(key) && value.length() > MAX_ID_LENGTH) {
      throw new MalformedDeliveryException("event " + index + " has an id longer than " + MAX_ID_LENGTH);
    }
    return value;
  }

  private static String optionalString(JsonObject event, String key, int index) throws MalformedDeliveryException {
    Object value = event.getValue(key);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw new MalformedDeliveryException("event " + index + " has a " + key + " that is not a string");
    }
    return s;
  }

  private static JsonObject data(JsonObject event, int index) throws MalformedDeliveryException {
    Object data = event.getValue("data");
    if (data == null) {
      return new JsonObject();
    }
    if (!(data instanceof JsonObject object)) {
      throw new MalformedDeliveryException("event " + index + " has data that is not an object");
    }
    return object;
  }
}
