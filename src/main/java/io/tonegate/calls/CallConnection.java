package io.tonegate.calls;

import io.vertx.core.json.JsonObject;

/**
 * The parts of a {@code CallConnectionProperties} response (answer, create) Tonegate uses.
 *
 * @param callConnectionId the call connection id
 * @param serverCallId server call id, empty when absent
 * @param state {@code callConnectionState}, empty when absent
 * @param mediaStreamingState {@code mediaStreamingSubscription.state}, empty when absent
 */
public record CallConnection(String callConnectionId, String serverCallId, String state, String mediaStreamingState) {

  /**
   * Reads a response body.
   *
   * @throws IllegalArgumentException when there is no callConnectionId
   */
  public static CallConnection fromJson(JsonObject body) {
    if (body == null || !(body.getValue("callConnectionId") instanceof String id) || id.isBlank()) {
      throw new IllegalArgumentException("the response has no callConnectionId");
    }
    String media = body.getValue("mediaStreamingSubscription") instanceof JsonObject subscription
        && subscription.getValue("state") instanceof String s ? s : "";
    return new CallConnection(id, body.getValue("serverCallId") instanceof String server ? server : "",
        body.getValue("callConnectionState") instanceof String state ? state : "", media);
  }
}
