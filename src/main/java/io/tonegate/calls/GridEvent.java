package io.tonegate.calls;

import io.vertx.core.json.JsonObject;

/**
 * One event of an Event Grid delivery, in either schema, reduced to what Tonegate acts on.
 *
 * @param schema which envelope it came in
 * @param id the event id (Event Grid may deliver the same id more than once)
 * @param type the event type, e.g. {@code Microsoft.Communication.IncomingCall}
 * @param subject the subject, empty when absent
 * @param data the {@code data} object, empty when absent
 */
public record GridEvent(Schema schema, String id, String type, String subject, JsonObject data) {

  public static final String INCOMING_CALL = "Microsoft.Communication.IncomingCall";
  public static final String SUBSCRIPTION_VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";

  public enum Schema { EVENT_GRID, CLOUD_EVENTS }
}
