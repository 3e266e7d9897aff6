package io.tonegate.simulator.acs;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call as the {@link AcsEmulator} sees it. Mutable, touched only on the emulator's event loop.
 */
public final class EmulatedCall {

  final String callConnectionId;
  final String serverCallId;
  final String correlationId;
  final JsonObject from;
  final JsonObject to;
  final boolean inbound;
  String callbackUri = "";
  JsonObject mediaStreamingOptions = new JsonObject();
  String state = "connecting";
  boolean continuousDtmf;
  boolean mediaStreaming;
  final AtomicInteger toneSequence = new AtomicInteger();

  EmulatedCall(String callConnectionId, String serverCallId, String correlationId, JsonObject from, JsonObject to,
               boolean inbound) {
    this.callConnectionId = callConnectionId;
    this.serverCallId = serverCallId;
    this.correlationId = correlationId;
    this.from = from;
    this.to = to;
    this.inbound = inbound;
  }

  public String callConnectionId() {
    return callConnectionId;
  }

  public String correlationId() {
    return correlationId;
  }

  public String serverCallId() {
    return serverCallId;
  }

  /** connecting, connected or disconnected. */
  public String state() {
    return state;
  }

  /** The remote party's raw id: the caller of an inbound call, the callee of an outbound one. */
  public String remoteRawId() {
    return (inbound ? from : to).getString("rawId", "");
  }

  public boolean inbound() {
    return inbound;
  }

  public String callbackUri() {
    return callbackUri;
  }

  /** The mediaStreamingOptions the gateway sent (answer or create). */
  public JsonObject mediaStreamingOptions() {
    return mediaStreamingOptions.copy();
  }

  /** True once the gateway started continuous DTMF recognition. */
  public boolean continuousDtmf() {
    return continuousDtmf;
  }

  public boolean mediaStreaming() {
    return mediaStreaming;
  }

  /** The media WebSocket URL the gateway asked ACS to stream to. */
  public String transportUrl() {
    return mediaStreamingOptions.getString("transportUrl", "");
  }
}
