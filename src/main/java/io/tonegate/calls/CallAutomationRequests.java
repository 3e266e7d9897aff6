package io.tonegate.calls;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * The JSON bodies of the Call Automation requests Tonegate sends (acs-wire.md §3.2–3.5, spec 2025-06-15). Pure: no
 * I/O, so the shapes are tested byte for byte.
 */
public final class CallAutomationRequests {

  private CallAutomationRequests() {
  }

  /** {@code mediaStreamingOptions} ({@code WebSocketMediaStreamingOptions}) pointing ACS at {@code transportUrl}. */
  public static JsonObject mediaStreamingOptions(CallsConfig.MediaStreaming media, String transportUrl) {
    return new JsonObject()
        .put("transportType", "websocket")
        .put("transportUrl", transportUrl)
        .put("contentType", "audio")
        .put("audioChannelType", media.audioChannelType())
        .put("startMediaStreaming", media.startMediaStreaming())
        .put("enableBidirectional", media.enableBidirectional())
        .put("audioFormat", media.audioFormat())
        .put("enableDtmfTones", media.enableDtmfTones());
  }

  /** {@code POST /calling/callConnections:answer}: {@code incomingCallContext} and {@code callbackUri} are required. */
  public static JsonObject answerCall(String incomingCallContext, String callbackUri, String operationContext,
                                      JsonObject mediaStreamingOptions) {
    return new JsonObject()
        .put("incomingCallContext", incomingCallContext)
        .put("callbackUri", callbackUri)
        .put("operationContext", operationContext)
        .put("mediaStreamingOptions", mediaStreamingOptions);
  }

  /**
   * {@code POST /calling/callConnections}: one target; {@code sourceCallerIdNumber} is required by ACS when the
   * target is a phone number.
   */
  public static JsonObject createCall(AcsIdentifier target, Optional<String> sourceCallerIdNumber, String callbackUri,
                                      String operationContext, JsonObject mediaStreamingOptions) {
    JsonObject body = new JsonObject()
        .put("targets", new JsonArray().add(target.toModel()))
        .put("callbackUri", callbackUri)
        .put("operationContext", operationContext)
        .put("mediaStreamingOptions", mediaStreamingOptions);
    sourceCallerIdNumber.ifPresent(number -> body.put("sourceCallerIdNumber", new JsonObject().put("value", number)));
    return body;
  }

  /** {@code POST …/{id}:startContinuousDtmfRecognition}. */
  public static JsonObject startContinuousDtmfRecognition(AcsIdentifier targetParticipant, String operationContext) {
    return new JsonObject()
        .put("targetParticipant", targetParticipant.toModel())
        .put("operationContext", operationContext);
  }

  /** {@code POST …/{id}:startMediaStreaming} / {@code :stopMediaStreaming}. */
  public static JsonObject mediaStreamingOperation(String operationContext) {
    return new JsonObject().put("operationContext", operationContext);
  }
}
