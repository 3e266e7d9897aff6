package io.tonegate.ratelimit;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.session.SessionApiClient;
import io.tonegate.session.SessionApiClient.ApiException;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitAcrossGatewaysTest {

  @Test
  @DisplayName("two gateways sharing one Redis hold the per-IP limit of /api/sessions to the configured count; the rest get 429 with Retry-After")
  void perIpAcrossInstances() throws Exception {
    AcsAccessKey key = AcsAccessKey.generate(new SecureRandom());
    JsonObject config = new JsonObject()
        .put("accessKey", key.toBase64())
        .put("redis", new JsonObject().put("keyPrefix", "rl" + UUID.randomUUID().toString().substring(0, 6) + ":"))
        .put("rateLimits", new JsonObject().put("perSourceIp", new JsonObject().put("limit", 10).put("window", "1m")));
    Vertx vertx = Vertx.vertx();
    try (TestGateway a = TestGateway.start(config); TestGateway b = TestGateway.start(config)) {
      WebClient webA = a.webClient(vertx);
      WebClient webB = b.webClient(vertx);
      SessionApiClient apiA = SessionApiClient.withAccessKey(webA, URI.create(a.baseUrl()), key);
      SessionApiClient apiB = SessionApiClient.withAccessKey(webB, URI.create(b.baseUrl()), key);
      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        SessionApiClient api = i % 2 == 0 ? apiA : apiB;
        sent.add(api.send(HttpMethod.POST, "/api/sessions",
            new JsonObject().put("key", "acs:rl-" + i + "-" + UUID.randomUUID())));
      }
      Future.join(sent).otherwiseEmpty().await(20, TimeUnit.SECONDS); // refusals are expected
      long created = sent.stream().filter(Future::succeeded).count();
      List<ApiException> refused = sent.stream().filter(Future::failed)
          .map(f -> (ApiException) f.cause()).toList();
      assertThat(created).isEqualTo(10);
      assertThat(refused).hasSize(20).allSatisfy(e -> {
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.code()).isEqualTo("TooManyRequests");
      });
      HttpResponse<Buffer> one = webA.post("/api/sessions").sendBuffer(Buffer.buffer("{}")).await(10, TimeUnit.SECONDS);
      assertThat(one.statusCode()).isEqualTo(429);
      assertThat(Long.parseLong(one.getHeader("Retry-After"))).isBetween(1L, 60L);
      String metrics = webA.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString()
          + webB.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
      assertThat(metrics).contains("tonegate_ratelimit_rejections_total{scope=\"api-sessions-ip\"}");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
