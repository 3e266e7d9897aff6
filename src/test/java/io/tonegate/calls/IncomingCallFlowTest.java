package io.tonegate.calls;

import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.tonegate.simulator.acs.EmulatedCall;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("IncomingCall through the Event Grid webhook, answered through the ACS emulator")
class IncomingCallFlowTest {

  private static CallsTestbed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = CallsTestbed.start();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  private static HttpResponse<Buffer> await(io.vertx.core.Future<HttpResponse<Buffer>> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  private static EmulatedCall deliverAndWaitForCall(JsonObject event) throws Exception {
    HttpResponse<Buffer> response = await(bed.acs.deliverEvents(new JsonArray().add(event)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    String correlation = event.getJsonObject("data").getString("correlationId");
    CallsTestbed.eventually("the emulator has the call", () -> bed.callByCorrelation(correlation).isPresent());
    return bed.callByCorrelation(correlation).orElseThrow();
  }

  @Test
  @DisplayName("a PSTN call to a served number is answered with media streaming to /ws/media and recorded in Redis")
  void answersPstnCall() throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550123", CallsTestbed.SERVED_NUMBER));
    EmulatedCall call = deliverAndWaitForCall(event);

    AcsEmulator.RecordedRequest answer = bed.acs.requests().stream()
        .filter(r -> r.path().endsWith(":answer")
            && r.body().getString("incomingCallContext").equals(event.getJsonObject("data").getString("incomingCallContext")))
        .findFirst().orElseThrow();
    assertThat(answer.signatureValid()).isTrue();
    assertThat(answer.headers().get("Repeatability-Request-ID")).isNotBlank();
    assertThat(answer.body().getString("callbackUri")).isEqualTo(bed.gateway.baseUrl() + "/api/callbacks");
    JsonObject media = answer.body().getJsonObject("mediaStreamingOptions");
    assertThat(media.getString("transportUrl")).isEqualTo("wss://localhost:" + bed.gateway.port() + "/ws/media");
    assertThat(media.getString("transportType")).isEqualTo("websocket");
    assertThat(media.getString("contentType")).isEqualTo("audio");
    assertThat(media.getString("audioChannelType")).isEqualTo("mixed");
    assertThat(media.getString("audioFormat")).isEqualTo("pcm16KMono");
    assertThat(media.getBoolean("startMediaStreaming")).isTrue();
    assertThat(media.getBoolean("enableBidirectional")).isTrue();
    assertThat(media.getBoolean("enableDtmfTones")).isTrue();

    String id = call.callConnectionId();
    CallsTestbed.eventually("the record is connected",
        () -> bed.record(id).map(r -> r.state() == CallState.CONNECTED).orElse(false));
    CallRecord record = bed.record(id).orElseThrow();
    assertThat(record.ani()).isEqualTo("+14255550123");
    assertThat(record.to()).isEqualTo(CallsTestbed.SERVED_NUMBER);
    assertThat(record.flow()).isEqualTo(CallFlow.PSTN);
    assertThat(record.sipCallId()).isEmpty();
    assertThat(record.correlationId()).isEqualTo(call.correlationId());
    assertThat(record.callerRawId()).isEqualTo("4:+14255550123");
    CallsTestbed.eventually("continuous DTMF recognition is started", call::continuousDtmf);
    assertThat(bed.events).contains("connected:" + id);
    CallsTestbed.eventually("media streaming is reported", () -> bed.events.contains(
        "media:" + id + ":MediaStreamingStarted"));
  }

  @Test
  @DisplayName("a call through an SBC carrying a SIP Call-ID header is recorded in the sip flow")
  void sipFlow() throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(new IncomingCallSpec("+14255550124", CallsTestbed.SERVED_NUMBER,
        Map.of("X-MS-Custom-Call-ID", "a84b4c76e66710@pc33.example.com")));
    EmulatedCall call = deliverAndWaitForCall(event);
    CallsTestbed.eventually("the record exists", () -> bed.record(call.callConnectionId()).isPresent());
    CallRecord record = bed.record(call.callConnectionId()).orElseThrow();
    assertThat(record.flow()).isEqualTo(CallFlow.SIP);
    assertThat(record.sipCallId()).contains("a84b4c76e66710@pc33.example.com");
  }

  @Test
  @DisplayName("the same event delivered twice is answered once, and the redelivery is acknowledged with 200")
  void duplicateDelivery() throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550125", CallsTestbed.SERVED_NUMBER));
    String context = event.getJsonObject("data").getString("incomingCallContext");
    deliverAndWaitForCall(event);
    HttpResponse<Buffer> again = await(bed.acs.deliverEvents(new JsonArray().add(event)));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(bed.acs.requests().stream().filter(r -> r.path().endsWith(":answer")
        && context.equals(r.body().getString("incomingCallContext")))).hasSize(1);
    assertThat(bed.counter("tonegate.calls.eventgrid.events", "type", "IncomingCall", "outcome", "duplicate"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("a CloudEvents-schema IncomingCall is answered like an EventGridEvent one")
  void cloudEventsSchema() throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550126", CallsTestbed.SERVED_NUMBER));
    HttpResponse<Buffer> response = await(bed.acs.deliverCloudEvent(AcsEmulator.toCloudEvent(event)));
    assertThat(response.statusCode()).isEqualTo(200);
    String correlation = event.getJsonObject("data").getString("correlationId");
    CallsTestbed.eventually("the call is answered", () -> bed.callByCorrelation(correlation).isPresent());
  }

  @Test
  @DisplayName("a call to a number no rule serves is acknowledged but not answered")
  void notServed() throws Exception {
    long before = bed.answerRequests();
    HttpResponse<Buffer> response = await(bed.acs.deliverIncomingCall(
        IncomingCallSpec.pstn("+14255550127", "+18005559999")));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(bed.answerRequests()).isEqualTo(before);
    assertThat(bed.counter("tonegate.calls.eventgrid.events", "type", "IncomingCall", "outcome", "not_served"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("when the remote party hangs up, the record is deleted and listeners hear of it")
  void remoteHangUpCleansUp() throws Exception {
    EmulatedCall call = deliverAndWaitForCall(
        bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550128", CallsTestbed.SERVED_NUMBER)));
    String id = call.callConnectionId();
    CallsTestbed.eventually("connected", () -> bed.record(id).map(r -> r.state() == CallState.CONNECTED).orElse(false));
    assertThat(await(bed.acs.remoteHangUp(id)).statusCode()).isEqualTo(200);
    assertThat(bed.record(id)).isEmpty();
    assertThat(bed.events).contains("disconnected:" + id);
  }

  @Test
  @DisplayName("hangUp from another capability ends the call through ACS, and the callback cleans up")
  void hangUpApi() throws Exception {
    EmulatedCall call = deliverAndWaitForCall(
        bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550129", CallsTestbed.SERVED_NUMBER)));
    String id = call.callConnectionId();
    CallsTestbed.eventually("connected", () -> bed.record(id).map(r -> r.state() == CallState.CONNECTED).orElse(false));
    bed.control().hangUp(id, "caller rejected").await(10, TimeUnit.SECONDS);
    assertThat(bed.acs.requests()).anyMatch(r -> r.method().equals("DELETE")
        && r.path().equals("/calling/callConnections/" + id) && r.signatureValid());
    CallsTestbed.eventually("the record is deleted", () -> bed.record(id).isEmpty());
    CallsTestbed.eventually("listeners heard", () -> bed.events.contains("disconnected:" + id));
  }

  @Test
  @DisplayName("tones reported by Call Automation reach listeners once, even when a callback is redelivered")
  void tonesOnce() throws Exception {
    EmulatedCall call = deliverAndWaitForCall(
        bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550130", CallsTestbed.SERVED_NUMBER)));
    String id = call.callConnectionId();
    CallsTestbed.eventually("connected", () -> bed.record(id).map(r -> r.state() == CallState.CONNECTED).orElse(false));
    assertThat(await(bed.acs.pressTone(id, '7')).statusCode()).isEqualTo(200);
    assertThat(await(bed.acs.pressTone(id, '#')).statusCode()).isEqualTo(200);
    JsonObject last = bed.acs.callbacksSent().get(bed.acs.callbacksSent().size() - 1);
    HttpResponse<Buffer> redelivered = await(bed.acs.postCallbackBody(call.callbackUri(), new JsonArray().add(last),
        "Bearer " + bed.acs.mintToken(java.time.Duration.ofMinutes(5))));
    assertThat(redelivered.statusCode()).isEqualTo(200);
    assertThat(bed.events.stream().filter(e -> e.startsWith("tone:" + id))).containsExactly(
        "tone:" + id + ":7:1", "tone:" + id + ":#:2");
  }
}
