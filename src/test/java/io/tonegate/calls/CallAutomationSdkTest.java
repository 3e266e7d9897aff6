package io.tonegate.calls;

import com.azure.communication.callautomation.CallAutomationClient;
import com.azure.communication.callautomation.CallAutomationClientBuilder;
import com.azure.communication.callautomation.CallAutomationEventParser;
import com.azure.communication.callautomation.models.AnswerCallResult;
import com.azure.communication.callautomation.models.events.CallAutomationEventBase;
import com.azure.communication.callautomation.models.events.CallConnected;
import com.azure.communication.callautomation.models.events.CallDisconnected;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.models.CloudEvent;
import io.tonegate.identity.AcsAccessKey;
import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.net.MalformedURLException;
import java.net.URL;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Microsoft's own Call Automation SDK (1.0.4, test scope only) against Tonegate's formats: its event parser reads
 * our callback events the way Tonegate does, and its HMAC signing is accepted by the ACS emulator (so the emulator
 * verifies "the way ACS does", and since Tonegate's client passes the same check, signs the way the SDK does).
 */
@DisplayName("Microsoft's Call Automation SDK 1.0.4 agrees with Tonegate's formats")
class CallAutomationSdkTest {

  private static Vertx vertx;
  private static AcsEmulator acs;
  private static AcsAccessKey key;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    key = AcsAccessKey.generate(new SecureRandom());
    acs = AcsEmulator.start(vertx, new AcsEmulator.Options(key, UUID.randomUUID().toString(), "", null))
        .await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    acs.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The SDK refuses http endpoints; sign for https, then send over http (acs-wire.md §6.3, workaround 1). */
  private static CallAutomationClient sdkClient(AcsAccessKey accessKey) {
    HttpPipelinePolicy toHttp = (context, next) -> {
      try {
        URL url = context.getHttpRequest().getUrl();
        context.getHttpRequest().setUrl(new URL("http", url.getHost(), url.getPort(), url.getFile()));
      } catch (MalformedURLException e) {
        return Mono.error(e);
      }
      return next.process();
    };
    return new CallAutomationClientBuilder()
        .connectionString("endpoint=https://127.0.0.1:" + acs.port() + "/;accesskey=" + accessKey.toBase64())
        .addPolicy(toHttp)
        .buildClient();
  }

  @Test
  @DisplayName("the SDK's HMAC-signed answer and hang-up are accepted by the emulator, and its responses parse")
  void sdkSignaturesAccepted() {
    JsonObject event = acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550170", "+18005550100"));
    String context = event.getJsonObject("data").getString("incomingCallContext");
    AnswerCallResult result = sdkClient(key).answerCall(context, "https://localhost:1/api/callbacks");
    String id = result.getCallConnectionProperties().getCallConnectionId();
    assertThat(id).isNotBlank();
    assertThat(acs.call(id)).isPresent();
    AcsEmulator.RecordedRequest answer = acs.requests().get(acs.requests().size() - 1);
    assertThat(answer.path()).isEqualTo("/calling/callConnections:answer");
    assertThat(answer.signatureValid()).isTrue();

    result.getCallConnection().hangUp(false);
    assertThat(acs.requests()).anyMatch(r -> r.method().equals("DELETE") && r.path().endsWith(id)
        && r.signatureValid());
  }

  @Test
  @DisplayName("a request signed with another key is refused 401 Denied, as ACS refuses it")
  void wrongKeyRefused() {
    JsonObject event = acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550171", "+18005550100"));
    String context = event.getJsonObject("data").getString("incomingCallContext");
    CallAutomationClient forged = sdkClient(AcsAccessKey.generate(new SecureRandom()));
    assertThatThrownBy(() -> forged.answerCall(context, "https://localhost:1/api/callbacks"))
        .isInstanceOf(HttpResponseException.class)
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(401));
  }

  @Test
  @DisplayName("CallConnected and CallDisconnected bodies parse to the same fields in the SDK's parser and ours")
  void callbackParsingAgrees() throws Exception {
    for (String type : List.of("CallConnected", "CallDisconnected")) {
      JsonArray body = new JsonArray().add(new JsonObject()
          .put("id", UUID.randomUUID().toString())
          .put("source", "calling/callConnections/441f1200")
          .put("type", "Microsoft.Communication." + type)
          .put("specversion", "1.0")
          .put("datacontenttype", "application/json")
          .put("time", "2022-06-24T15:12:41.5556858+00:00")
          .put("subject", "calling/callConnections/441f1200")
          .put("data", new JsonObject().put("callConnectionId", "441f1200").put("serverCallId", "e42f9a50")
              .put("correlationId", "7a659f41").put("operationContext", "tonegate")
              .put("resultInformation", new JsonObject().put("code", 200).put("subCode", 0).put("message", "ok"))));
      List<CallAutomationEventBase> theirs = CallAutomationEventParser.parseEvents(body.encode());
      CallbackEvent ours = CallbackEvent.parseAll(body.encode()).get(0);
      assertThat(theirs).hasSize(1);
      assertThat(theirs.get(0)).isInstanceOf(type.equals("CallConnected") ? CallConnected.class : CallDisconnected.class);
      assertThat(ours.name()).isEqualTo(type);
      assertThat(theirs.get(0).getCallConnectionId()).isEqualTo(ours.callConnectionId());
      assertThat(theirs.get(0).getServerCallId()).isEqualTo(ours.serverCallId());
      assertThat(theirs.get(0).getCorrelationId()).isEqualTo(ours.correlationId());
      assertThat(theirs.get(0).getOperationContext()).isEqualTo(ours.operationContext());
    }
  }

  @Test
  @DisplayName("tone and media-streaming events are valid CloudEvents for azure-core; SDK 1.0.4 does not know them")
  void newerEventsAreValidCloudEvents() throws Exception {
    JsonArray body = new JsonArray()
        .add(new JsonObject().put("id", "1").put("source", "calling/callConnections/c").put("specversion", "1.0")
            .put("type", "Microsoft.Communication.ContinuousDtmfRecognitionToneReceived")
            .put("data", new JsonObject().put("callConnectionId", "c").put("sequenceId", 1).put("tone", "five")))
        .add(new JsonObject().put("id", "2").put("source", "calling/callConnections/c").put("specversion", "1.0")
            .put("type", "Microsoft.Communication.MediaStreamingStarted")
            .put("data", new JsonObject().put("callConnectionId", "c").put("mediaStreamingUpdate", new JsonObject()
                .put("contentType", "Audio").put("mediaStreamingStatus", "mediaStreamingStarted")
                .put("mediaStreamingStatusDetails", "subscriptionStarted"))));
    assertThat(CloudEvent.fromString(body.encode())).hasSize(2);
    // 1.0.4 predates these events (it drops them), which is why Tonegate parses callbacks itself.
    assertThat(CallAutomationEventParser.parseEvents(body.encode())).isEmpty();
    assertThat(CallbackEvent.parseAll(body.encode())).extracting(CallbackEvent::name)
        .containsExactly("ContinuousDtmfRecognitionToneReceived", "MediaStreamingStarted");
    // A CloudEvent without source is refused by both.
    String noSource = new JsonArray().add(new JsonObject().put("id", "3").put("specversion", "1.0")
        .put("type", "Microsoft.Communication.CallConnected").put("data", new JsonObject()
            .put("callConnectionId", "c"))).encode();
    assertThatThrownBy(() -> CloudEvent.fromString(noSource)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CallbackEvent.parseAll(noSource))
        .isInstanceOf(CallbackEvent.MalformedCallbackException.class);
  }
}
