package io.tonegate.gateway;

import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("health, readiness, metrics and unknown paths over real HTTPS")
class OperationalEndpointsTest {

  private static TestGateway gateway;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
    client = gateway.webClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return client.get(path).send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("/health answers 200 UP")
  void health() throws Exception {
    HttpResponse<Buffer> response = get("/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP"));
  }

  @Test
  @DisplayName("/ready answers 200 when Redis answers PING")
  void ready() throws Exception {
    HttpResponse<Buffer> response = get("/ready");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("redis")).isEqualTo("UP");
  }

  @Test
  @DisplayName("/metrics serves Prometheus text with JVM and Vert.x HTTP meters")
  void metrics() throws Exception {
    get("/health"); // at least one request so the HTTP server meters exist
    get("/ready"); // a Redis PING, timed by the instrumented client
    HttpResponse<Buffer> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/plain");
    String text = response.bodyAsString();
    assertThat(text).contains("jvm_memory_used_bytes", "jvm_gc_", "vertx_http_server_requests_total",
        "tonegate_ready_failures_total", "tonegate_redis_command_errors_total{command=\"PING\",kind=\"timeout\"} 0.0");
    assertThat(text).containsPattern("tonegate_redis_command_latency_seconds_count\\{command=\"PING\"} [1-9]");
    assertThat(text).contains("tonegate_redis_command_latency_seconds_bucket{command=\"PING\",le=\"0.002\"}");
  }

  @Test
  @DisplayName("any other path is a JSON 404 in the ACS error shape")
  void unknownPath() throws Exception {
    HttpResponse<Buffer> response = get("/no/such/thing");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.getHeader("content-type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("NotFound");
  }

  @Test
  @DisplayName("an oversize request body is refused with a JSON 413")
  void oversizeBody() throws Exception {
    HttpResponse<Buffer> response = client.post("/anything").sendBuffer(Buffer.buffer(new byte[70_000]))
        .await(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("PayloadTooLarge");
  }

  @Test
  @DisplayName("the server speaks only TLS: a plain HTTP request gets no HTTP answer")
  void tlsOnly() {
    WebClient plain = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost")
        .setDefaultPort(gateway.port()).setConnectTimeout(2000).setIdleTimeout(3));
    assertThatThrownBy(() -> plain.get("/health").send().await(10, TimeUnit.SECONDS)).isNotNull();
  }
}
