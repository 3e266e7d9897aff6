package io.tonegate.calls;

import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.tonegate.simulator.acs.EmulatedCall;
import io.tonegate.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("call events reach the listeners of every gateway process, once each")
class CallEventRelayTest {

  private static CallsTestbed bed;
  private static TestGateway second;
  private static final List<String> secondEvents = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bed = CallsTestbed.start();
    second = TestGateway.start(new JsonObject().put("calls", bed.callsConfig));
    second.gateway().module(CallsModule.class).orElseThrow().control().addListener(new CallEventListener() {
      @Override
      public void onTone(String id, char digit, int sequenceId) {
        secondEvents.add("tone:" + id + ":" + digit);
      }

      @Override
      public void onCallDisconnected(String id) {
        secondEvents.add("disconnected:" + id);
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    second.close();
    bed.close();
  }

  @Test
  @DisplayName("a tone and a hang-up whose callbacks reach one process are heard by the other process too")
  void relayed() throws Exception {
    JsonObject event = bed.acs.incomingCallEvent(IncomingCallSpec.pstn("+14255550180", CallsTestbed.SERVED_NUMBER));
    assertThat(bed.acs.deliverEvents(new JsonArray().add(event)).await(20, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200);
    String correlation = event.getJsonObject("data").getString("correlationId");
    CallsTestbed.eventually("answered", () -> bed.callByCorrelation(correlation).isPresent());
    EmulatedCall call = bed.callByCorrelation(correlation).orElseThrow();
    String id = call.callConnectionId();
    CallsTestbed.eventually("connected", () -> bed.record(id).map(r -> r.state() == CallState.CONNECTED).orElse(false));

    bed.acs.pressTone(id, '4').await(10, TimeUnit.SECONDS);
    bed.acs.remoteHangUp(id).await(10, TimeUnit.SECONDS);
    CallsTestbed.eventually("the second process heard both", () -> secondEvents.size() >= 2);
    Thread.sleep(200); // a duplicate, if any, would arrive within this
    assertThat(secondEvents).containsExactly("tone:" + id + ":4", "disconnected:" + id);
    assertThat(bed.events.stream().filter(e -> e.startsWith("tone:" + id))).containsExactly("tone:" + id + ":4:1");
    assertThat(bed.events.stream().filter(e -> e.equals("disconnected:" + id))).hasSize(1);
  }
}
