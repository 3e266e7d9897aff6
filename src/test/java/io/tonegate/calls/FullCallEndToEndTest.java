package io.tonegate.calls;

import io.tonegate.media.AudioFormat;
import io.tonegate.media.MediaModule;
import io.tonegate.media.MediaSession;
import io.tonegate.session.SessionModule;
import io.tonegate.session.SessionStore;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.tonegate.simulator.acs.EmulatedCall;
import io.tonegate.simulator.acs.SimulatedMediaStreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole calls through every part of Tonegate, with the ACS emulator playing ACS: IncomingCall (or POST /api/call)
 * → answer/create through Call Automation → CallConnected → the media WebSocket with the caller's DTMF → the caller
 * module authenticates against the stored session key → hang-up → CallDisconnected → record, media session gone.
 */
@DisplayName("end to end: a call is answered, streams media with DTMF, is authenticated, hung up and cleaned up")
class FullCallEndToEndTest {

  private static final String ISSUER = "https://idp.example.test";
  private static final String SIP_CALL_ID = "a84b4c76e66710@pc33.example.com";
  private static CallsTestbed bed;
  private static SessionStore sessions;
  private static MediaModule media;
  private static final Map<String, String> scripts = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    // The authentication step needs the caller module observing media sessions; until that is wired in the module
    // table these tests are skipped (not passed). Checked by class presence so they switch on by themselves.
    Assumptions.assumeTrue(callerObservesMedia(), "the caller module is not yet wired to media sessions");
    bed = CallsTestbed.startWith(
        acs -> new JsonObject().put("api", new JsonObject().put("issuer", ISSUER)
            .put("audiences", new JsonArray().add("tonegate-api")).put("jwksUrl", acs.jwksUrl())
            .put("sourceCallerIdNumber", CallsTestbed.SERVED_NUMBER)),
        acs -> new JsonObject().put("media", new JsonObject().put("acs", new JsonObject()
            .put("audiences", new JsonArray().add(acs.resourceId())).put("jwksUrl", acs.jwksUrl()))));
    sessions = bed.gateway.gateway().module(SessionModule.class).orElseThrow().store();
    media = bed.gateway.gateway().module(MediaModule.class).orElseThrow();
    bed.acs.setMediaOpener(new SimulatedMediaStreams(bed.vertx, bed.gateway.webSocketOptions(), AudioFormat.pcm(16000),
        call -> AudioScript.parse(scripts.getOrDefault(call.remoteRawId(), "silence:3s"), 16000), 4000, null));
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) {
      bed.close();
    }
  }

  private static boolean callerObservesMedia() {
    try {
      Class.forName("io.tonegate.caller.CallerMediaObserver");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static boolean authorized(String id) {
    return media.findSession(id).map(MediaSession::isAuthorized).orElse(false);
  }

  private static EmulatedCall incoming(IncomingCallSpec spec) throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(spec);
    assertThat(bed.acs.deliverEvents(new JsonArray().add(event)).await(20, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200);
    String correlation = event.getJsonObject("data").getString("correlationId");
    CallsTestbed.eventually("answered", () -> bed.callByCorrelation(correlation).isPresent());
    return bed.callByCorrelation(correlation).orElseThrow();
  }

  private static void hangUpAndExpectCleanUp(String id) throws Exception {
    bed.control().hangUp(id, "test done").await(10, TimeUnit.SECONDS);
    CallsTestbed.eventually("the record is deleted", () -> bed.record(id).isEmpty());
    CallsTestbed.eventually("the media session is closed", () -> media.findSession(id).isEmpty());
    assertThat(bed.events).contains("disconnected:" + id);
  }

  @Test
  @DisplayName("PSTN: the caller types the code stored for its number and is authenticated")
  void pstn() throws Exception {
    String ani = "+14255550190";
    sessions.store(sessions.rules().pstn(ani, "823"), new JsonObject(), Duration.ofMinutes(5), false, "test")
        .await(5, TimeUnit.SECONDS);
    scripts.put("4:" + ani, "silence:300ms,dtmf:823#,silence:3s");
    EmulatedCall call = incoming(IncomingCallSpec.pstn(ani, CallsTestbed.SERVED_NUMBER));
    String id = call.callConnectionId();
    CallsTestbed.eventually("media is streaming", () -> media.findSession(id).isPresent());
    CallsTestbed.eventually("the caller is authenticated", () -> authorized(id));
    assertThat(call.continuousDtmf()).isTrue();
    hangUpAndExpectCleanUp(id);
  }

  @Test
  @DisplayName("PSTN with a wrong code: the caller is rejected and Tonegate hangs up through Call Automation")
  void pstnRejected() throws Exception {
    String ani = "+14255550191";
    sessions.store(sessions.rules().pstn(ani, "823"), new JsonObject(), Duration.ofMinutes(5), false, "test")
        .await(5, TimeUnit.SECONDS);
    scripts.put("4:" + ani, "silence:300ms,dtmf:111#,silence:1s,dtmf:222#,silence:1s,dtmf:333#,silence:3s");
    EmulatedCall call = incoming(IncomingCallSpec.pstn(ani, CallsTestbed.SERVED_NUMBER));
    String id = call.callConnectionId();
    CallsTestbed.eventually("Tonegate hangs up", () -> bed.acs.requests().stream()
        .anyMatch(r -> r.method().equals("DELETE") && r.path().endsWith("/" + id) && r.signatureValid()));
    CallsTestbed.eventually("the record is deleted", () -> bed.record(id).isEmpty());
    assertThat(authorized(id)).isFalse();
  }

  @Test
  @DisplayName("SIP: a call whose SBC passed a SIP Call-ID with a stored key is authenticated without a code")
  void sip() throws Exception {
    sessions.store(sessions.rules().sip(SIP_CALL_ID, null), new JsonObject(), Duration.ofMinutes(5), false, "test")
        .await(5, TimeUnit.SECONDS);
    EmulatedCall call = incoming(new IncomingCallSpec("+14255550192", CallsTestbed.SERVED_NUMBER,
        Map.of("X-MS-Custom-Call-ID", SIP_CALL_ID)));
    String id = call.callConnectionId();
    CallsTestbed.eventually("the caller is authenticated", () -> authorized(id));
    assertThat(bed.record(id).orElseThrow().flow()).isEqualTo(CallFlow.SIP);
    hangUpAndExpectCleanUp(id);
  }

  @Test
  @DisplayName("API: a call placed with POST /api/call is authorized by its acs:<id> key when its media arrives")
  void api() throws Exception {
    long now = Instant.now().getEpochSecond();
    String token = bed.acs.mintToken(new JsonObject().put("iss", ISSUER).put("aud", "tonegate-api").put("sub", "app")
        .put("iat", now).put("exp", now + 300));
    WebClient client = bed.gateway.webClient(bed.vertx);
    HttpResponse<Buffer> created = client.post("/api/call").putHeader("Authorization", "Bearer " + token)
        .sendJsonObject(new JsonObject().put("target", "+14255550193")).await(20, TimeUnit.SECONDS);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("callConnectionId");
    CallsTestbed.eventually("the callee is authorized", () -> authorized(id));
    assertThat(bed.record(id).map(CallRecord::flow)).isEqualTo(Optional.of(CallFlow.API));
    hangUpAndExpectCleanUp(id);
    client.close();
  }
}
