package io.tonegate.calls;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigLoader;
import io.tonegate.config.ConfigTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("call control pure core")
class CallsCoreTest {

  @Nested
  @DisplayName("retry policy")
  class Retry {
    private final Instant now = Instant.parse("2026-11-22T12:00:00Z");

    @Test
    @DisplayName("429, 408 and 5xx (but not 501/505) are retried; other 4xx are not")
    void retryableStatuses() {
      assertThat(List.of(408, 429, 500, 502, 503, 504)).allMatch(RetryPolicy::isRetryableStatus);
      assertThat(List.of(400, 401, 403, 404, 409, 501, 505)).noneMatch(RetryPolicy::isRetryableStatus);
    }

    @Test
    @DisplayName("Retry-After in seconds or as an HTTP date, and retry-after-ms, are read; garbage is ignored")
    void serverDelay() {
      assertThat(RetryPolicy.serverDelay(Map.of("retry-after", "3")::get, now)).contains(Duration.ofSeconds(3));
      assertThat(RetryPolicy.serverDelay(Map.of("retry-after", "Sun, 22 Nov 2026 12:00:05 GMT")::get, now))
          .contains(Duration.ofSeconds(5));
      assertThat(RetryPolicy.serverDelay(Map.of("retry-after-ms", "250", "retry-after", "9")::get, now))
          .contains(Duration.ofMillis(250));
      assertThat(RetryPolicy.serverDelay(Map.of("retry-after", "soon")::get, now)).isEmpty();
      assertThat(RetryPolicy.serverDelay(Map.of("retry-after", "-1")::get, now)).isEmpty();
      assertThat(RetryPolicy.serverDelay(Map.<String, String>of()::get, now)).isEmpty();
    }

    @Test
    @DisplayName("backoff doubles per attempt with jitter in [half, full], and everything is capped at maxDelay")
    void backoff() {
      RetryPolicy low = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0);
      RetryPolicy high = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.999999);
      assertThat(low.delayAfter(1, Optional.empty(), now)).isEqualTo(Duration.ofMillis(50));
      assertThat(high.delayAfter(1, Optional.empty(), now)).isEqualTo(Duration.ofMillis(100));
      assertThat(low.delayAfter(3, Optional.empty(), now)).isEqualTo(Duration.ofMillis(200));
      assertThat(high.delayAfter(10, Optional.empty(), now)).isEqualTo(Duration.ofSeconds(1));
      assertThat(low.delayAfter(1, Optional.of(Duration.ofMinutes(5)), now)).isEqualTo(Duration.ofSeconds(1));
      assertThat(low.mayRetry(4)).isTrue();
      assertThat(low.mayRetry(5)).isFalse();
    }
  }

  @Nested
  @DisplayName("circuit breaker")
  class Breaker {
    private Instant time = Instant.parse("2026-11-22T12:00:00Z");
    private final List<String> transitions = new ArrayList<>();
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(10), new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return time;
      }
    }, (from, to) -> transitions.add(from + "->" + to));

    @Test
    @DisplayName("opens after the threshold of consecutive failures; a success in between resets the count")
    void opens() {
      breaker.onFailure();
      breaker.onFailure();
      breaker.onSuccess();
      breaker.onFailure();
      breaker.onFailure();
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      breaker.onFailure();
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(breaker.tryAcquire()).isFalse();
      assertThat(breaker.remainingOpen()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("after the open time exactly one trial goes through; its success closes, its failure re-opens")
    void halfOpen() {
      for (int i = 0; i < 3; i++) {
        breaker.onFailure();
      }
      time = time.plusSeconds(10);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThat(breaker.tryAcquire()).isTrue();
      assertThat(breaker.tryAcquire()).as("only one trial").isFalse();
      breaker.onFailure();
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      time = time.plusSeconds(10);
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.onSuccess();
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN",
          "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
    }
  }

  @Nested
  @DisplayName("identifiers and rules")
  class Identifiers {
    @Test
    @DisplayName("raw ids map to model kinds with the SDK's prefixes, and back")
    void rawIds() {
      assertThat(AcsIdentifier.fromRawId("4:+18005550100").toModel()).isEqualTo(new JsonObject()
          .put("kind", "phoneNumber").put("rawId", "4:+18005550100")
          .put("phoneNumber", new JsonObject().put("value", "+18005550100")));
      assertThat(AcsIdentifier.fromRawId("+18005550100").rawId()).isEqualTo("4:+18005550100");
      assertThat(AcsIdentifier.fromRawId("8:acs:r_1").kind()).isEqualTo("communicationUser");
      assertThat(AcsIdentifier.fromRawId("8:orgid:x").kind()).isEqualTo("microsoftTeamsUser");
      assertThat(AcsIdentifier.fromRawId("28:app").kind()).isEqualTo("microsoftTeamsApp");
      assertThat(AcsIdentifier.fromRawId("something").kind()).isEqualTo("unknown");
      assertThat(AcsIdentifier.fromModel(new JsonObject().put("kind", "communicationUser")
          .put("communicationUser", new JsonObject().put("id", "8:acs:r_2"))).rawId()).isEqualTo("8:acs:r_2");
      assertThatThrownBy(() -> AcsIdentifier.fromModel(new JsonObject().put("kind", "phoneNumber")))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("answer rules match numbers, raw ids and prefixes")
    void rules() {
      AnswerRules rules = new AnswerRules(List.of("+18005550100", "8:acs:res_*", "+4420*"));
      assertThat(rules.serves(AcsIdentifier.fromRawId("4:+18005550100"))).isTrue();
      assertThat(rules.serves(AcsIdentifier.fromRawId("4:+18005550101"))).isFalse();
      assertThat(rules.serves(AcsIdentifier.fromRawId("8:acs:res_user"))).isTrue();
      assertThat(rules.serves(AcsIdentifier.fromRawId("8:acs:other_user"))).isFalse();
      assertThat(rules.serves(AcsIdentifier.fromRawId("+442079460000"))).isTrue();
      assertThat(new AnswerRules(List.of("*")).serves(AcsIdentifier.fromRawId("8:acs:x"))).isTrue();
      assertThat(new AnswerRules(List.of()).serves(AcsIdentifier.fromRawId("8:acs:x"))).isFalse();
    }
  }

  @Nested
  @DisplayName("event parsing")
  class Parsing {
    @Test
    @DisplayName("the acs-wire.md §2.1 IncomingCall example parses, with its SIP Call-ID header looked up case-insensitively")
    void incomingCall() throws Exception {
      String body = "[{\"id\":\"d5546be8-227a-4db8-b2c3-4f06fd675fd6\",\"topic\":\"/subscriptions/x\","
          + "\"subject\":\"/caller/a/recipient/b\",\"data\":{\"to\":{\"kind\":\"communicationUser\","
          + "\"rawId\":\"8:acs:98e4_1\",\"communicationUser\":{\"id\":\"8:acs:98e4_1\"}},\"from\":{\"kind\":\"phoneNumber\","
          + "\"rawId\":\"4:+18005550100\",\"phoneNumber\":{\"value\":\"+18005550100\"}},\"serverCallId\":\"tob2\","
          + "\"callerDisplayName\":\"John Doe\",\"customContext\":{\"sipHeaders\":{\"x-ms-custom-call-id\":\"abc@sbc\"}},"
          + "\"incomingCallContext\":\"eyJhbGciOiJub25lIn0.eyJjYyI6IkgifQ.\",\"correlationId\":\"d732\"},"
          + "\"eventType\":\"Microsoft.Communication.IncomingCall\",\"dataVersion\":\"1.0\",\"metadataVersion\":\"1\","
          + "\"eventTime\":\"2022-08-25T19:27:24.2415391Z\"}]";
      EventGridDelivery delivery = EventGridDelivery.parse(body);
      assertThat(delivery.schema()).isEqualTo(GridEvent.Schema.EVENT_GRID);
      IncomingCall call = IncomingCall.fromEventData(delivery.events().get(0).data());
      assertThat(call.from().displayId()).isEqualTo("+18005550100");
      assertThat(call.to().rawId()).isEqualTo("8:acs:98e4_1");
      assertThat(call.correlationId()).isEqualTo("d732");
      assertThat(call.sipCallId(List.of("X-MS-Custom-Call-ID"))).contains("abc@sbc");
      assertThat(delivery.validationCode()).isEmpty();
    }

    @Test
    @DisplayName("a single CloudEvent and a CloudEvents batch parse; specversion must be 1.0")
    void cloudEvents() throws Exception {
      JsonObject ce = new JsonObject().put("id", "1").put("source", "/x").put("specversion", "1.0")
          .put("type", "Microsoft.Communication.IncomingCall").put("data", new JsonObject());
      assertThat(EventGridDelivery.parse(ce.encode()).schema()).isEqualTo(GridEvent.Schema.CLOUD_EVENTS);
      assertThat(EventGridDelivery.parse(new JsonArray().add(ce).add(ce.copy().put("id", "2")).encode()).events())
          .hasSize(2);
      assertThatThrownBy(() -> EventGridDelivery.parse(ce.copy().put("specversion", "0.3").encode()))
          .isInstanceOf(EventGridDelivery.MalformedDeliveryException.class);
      assertThatThrownBy(() -> EventGridDelivery.parse(ce.copy().put("data", "text").encode()))
          .isInstanceOf(EventGridDelivery.MalformedDeliveryException.class);
    }

    @Test
    @DisplayName("the acs-wire.md §3.7 tone and media streaming callbacks parse; tone names map to digits")
    void callbacks() throws Exception {
      String tone = "[{\"id\":\"0b6f\",\"source\":\"calling/callConnections/441f\",\"specversion\":\"1.0\","
          + "\"type\":\"Microsoft.Communication.ContinuousDtmfRecognitionToneReceived\",\"data\":{\"sequenceId\":1,"
          + "\"tone\":\"pound\",\"callConnectionId\":\"441f\",\"serverCallId\":\"e42f\",\"correlationId\":\"7a65\","
          + "\"operationContext\":\"dtmf\",\"resultInformation\":{\"code\":200,\"subCode\":0,\"message\":\"ok\"}}}]";
      CallbackEvent event = CallbackEvent.parseAll(tone).get(0);
      assertThat(event.name()).isEqualTo(CallbackEvent.TONE_RECEIVED);
      assertThat(event.tone()).contains('#');
      assertThat(event.sequenceId().getAsInt()).isEqualTo(1);
      assertThat(event.resultCode().getAsInt()).isEqualTo(200);
      String media = "{\"id\":\"m\",\"source\":\"s\",\"type\":\"Microsoft.Communication.MediaStreamingFailed\","
          + "\"data\":{\"callConnectionId\":\"c\",\"mediaStreamingUpdate\":{\"contentType\":\"Audio\","
          + "\"mediaStreamingStatus\":\"mediaStreamingFailed\",\"mediaStreamingStatusDetails\":\"authenticationFailure\"}}}";
      CallbackEvent failed = CallbackEvent.parseAll(media).get(0);
      assertThat(failed.mediaStreamingStatusDetails()).isEqualTo("authenticationFailure");
      for (char digit : "0123456789*#ABCD".toCharArray()) {
        assertThat(CallbackEvent.toneDigit(CallbackEvent.toneName(digit))).contains(digit);
      }
    }
  }

  @Nested
  @DisplayName("configuration")
  class Config {
    private CallsConfig read(JsonObject calls) {
      JsonObject merged = ConfigLoader.load(null, Map.of());
      ConfigLoader.overlay(merged, new JsonObject().put("calls", calls), "");
      ConfigTree root = new ConfigTree(merged);
      return CallsConfig.from(root.section("calls"), root.section("auth"));
    }

    @Test
    @DisplayName("the defaults are valid: nothing served, no connection string, webhooks closed")
    void defaults() {
      CallsConfig config = read(new JsonObject());
      assertThat(config.acs().connectionString()).isEmpty();
      assertThat(config.eventGrid().authConfigured()).isFalse();
      assertThat(config.incoming().serve()).isEmpty();
      assertThat(config.callbacks().audiences()).isEmpty();
      assertThat(config.api().oidc()).isEmpty();
    }

    @Test
    @DisplayName("bad values name their key, and a bad connection string never echoes the key")
    void badValues() {
      assertThatThrownBy(() -> read(new JsonObject().put("acs", new JsonObject()
          .put("connectionString", "endpoint=https://x/;accesskey=c2VjcmV0;extra=1"))))
          .isInstanceOf(ConfigException.class).hasMessageContaining("calls.acs.connectionString")
          .hasMessageNotContaining("c2VjcmV0");
      assertThatThrownBy(() -> read(new JsonObject().put("mediaStreaming", new JsonObject()
          .put("audioFormat", "pcm8k")))).hasMessageContaining("calls.mediaStreaming.audioFormat");
      assertThatThrownBy(() -> read(new JsonObject().put("incoming", new JsonObject()
          .put("serve", new JsonArray().add("+1*800"))))).hasMessageContaining("calls.incoming.serve[0]");
      assertThatThrownBy(() -> read(new JsonObject().put("eventGrid", new JsonObject().put("entra",
          new JsonObject().put("jwksUrl", "https://login.example/keys")))))
          .hasMessageContaining("calls.eventGrid.entra.issuer");
    }
  }
}
