package io.tonegate.calls;

import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.AcsEmulator.IncomingCallSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Call Automation client: retries on 429 with Retry-After, circuit breaker when ACS is down")
class CallAutomationResilienceTest {

  private CallsTestbed bed;

  @BeforeEach
  void start() throws Exception {
    bed = CallsTestbed.start();
  }

  @AfterEach
  void stop() throws Exception {
    bed.close();
  }

  private HttpResponse<Buffer> deliver(JsonObject event) throws Exception {
    return bed.acs.deliverEvents(new JsonArray().add(event)).await(30, TimeUnit.SECONDS);
  }

  private JsonObject incoming(String from) {
    return bed.acs.incomingCallEvent(IncomingCallSpec.pstn(from, CallsTestbed.SERVED_NUMBER));
  }

  @Test
  @DisplayName("ACS answering 429 with Retry-After, then 200: the call is answered on the second attempt")
  void retriesAfter429() throws Exception {
    bed.acs.failNext(new AcsEmulator.Fault(429, Optional.of("1")));
    JsonObject event = incoming("+14255550150");
    HttpResponse<Buffer> response = deliver(event);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(bed.answerRequests()).isEqualTo(2);
    assertThat(bed.acs.requests()).allMatch(AcsEmulator.RecordedRequest::signatureValid);
    // One operation: the same repeatability id on both attempts, so ACS could de-duplicate.
    assertThat(bed.acs.requests().stream().filter(r -> r.path().endsWith(":answer"))
        .map(r -> r.headers().get("Repeatability-Request-ID")).distinct())
        .hasSize(1);
    assertThat(bed.counter("tonegate.calls.automation.requests", "operation", "answer", "status", "429"))
        .isEqualTo(1);
    assertThat(bed.counter("tonegate.calls.automation.requests", "operation", "answer", "status", "200"))
        .isEqualTo(1);
    assertThat(bed.callByCorrelation(event.getJsonObject("data").getString("correlationId"))).isPresent();
  }

  @Test
  @DisplayName("a 4xx from ACS is not retried and the event is acknowledged (redelivery would not help)")
  void noRetryOn400() throws Exception {
    bed.acs.failNext(new AcsEmulator.Fault(400, Optional.empty()));
    assertThat(deliver(incoming("+14255550151")).statusCode()).isEqualTo(200);
    assertThat(bed.answerRequests()).isEqualTo(1);
    assertThat(bed.counter("tonegate.calls.eventgrid.events", "type", "IncomingCall", "outcome", "rejected"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("ACS down: 503 to Event Grid, the circuit opens and fails fast, then recovers when ACS returns")
  void circuitBreaker() throws Exception {
    bed.acs.setDown(true);
    JsonObject first = incoming("+14255550152");
    // 3 attempts of 503: the threshold (3) is reached, the circuit opens, Event Grid is told to redeliver.
    assertThat(deliver(first).statusCode()).isEqualTo(503);
    assertThat(bed.answerRequests()).isEqualTo(3);
    assertThat(bed.control().automation().circuitState()).isEqualTo(CircuitBreaker.State.OPEN);

    // While open: no request reaches ACS at all.
    JsonObject second = incoming("+14255550153");
    assertThat(deliver(second).statusCode()).isEqualTo(503);
    assertThat(bed.answerRequests()).isEqualTo(3);
    assertThat(bed.counter("tonegate.calls.automation.requests", "operation", "answer", "status", "circuit_open"))
        .isGreaterThanOrEqualTo(1);
    String metrics = bed.gateway.webClient(bed.vertx).get("/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
    assertThat(metrics).contains("tonegate_calls_automation_circuit_state 2.0");

    // ACS returns; after the open duration one trial goes through and closes the circuit. Event Grid's redelivery
    // of the first event (its id was released) now answers the call.
    bed.acs.setDown(false);
    CallsTestbed.eventually("the circuit half-opens",
        () -> bed.control().automation().circuitState() == CircuitBreaker.State.HALF_OPEN);
    assertThat(deliver(first).statusCode()).isEqualTo(200);
    assertThat(bed.control().automation().circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(bed.callByCorrelation(first.getJsonObject("data").getString("correlationId"))).isPresent();
  }
}
