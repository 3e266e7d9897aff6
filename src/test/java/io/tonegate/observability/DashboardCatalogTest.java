package io.tonegate.observability;

import io.tonegate.media.AudioFormat;
import io.tonegate.media.DevMediaKey;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.CallSimulator;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric that a Grafana panel or an alert rule queries exists in a real scrape of a gateway that has just
 * carried a simulated ACS call: no dashboard shows "No data" because of a name the code does not export.
 */
class DashboardCatalogTest {

  private static final String ACS_ISSUER = "https://acscallautomation.communication.azure.com";

  @Test
  @DisplayName("after a simulated call, /metrics has every metric the dashboards and alerts use")
  void everyQueriedMetricIsExported() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = TestGateway.start(new JsonObject()
        .put("media", new JsonObject().put("acs", new JsonObject().put("jwksUrl", ""))))) {
      DevMediaKey key = DevMediaKey.load(gateway.dataDir()).orElseThrow();
      CallSimulator simulator = new CallSimulator(vertx, gateway.webSocketOptions());
      CallSimulator.Report report = simulator.run(new CallSimulator.Options(
          URI.create("wss://localhost:" + gateway.port() + "/ws/media"), 1, AudioFormat.PCM_16K,
          AudioScript.parse("silence:200ms,dtmf:123#,noise:200ms", 16_000),
          id -> key.signMediaToken(ACS_ISSUER, "tonegate-dev-acs-resource", Duration.ofHours(1)),
          true, 300, "catalog", null)).await(60, TimeUnit.SECONDS);
      assertThat(report.framesSent()).isPositive();

      // The JVM exports GC pause meters after the first collection; a long-running gateway always has one.
      System.gc();
      WebClient client = gateway.webClient(vertx);
      client.get("/ready").send().await(10, TimeUnit.SECONDS);
      client.get("/no-such-path").send().await(10, TimeUnit.SECONDS);
      String scrape = client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();

      Set<String> exported = new TreeSet<>();
      scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
      Set<String> missing = new TreeSet<>(OperationsFilesTest.referencedMetrics());
      missing.removeAll(exported);
      assertThat(missing).as("metrics queried by grafana/dashboards or conf/alerts.yml but not exported").isEmpty();
      assertThat(exported).contains("tonegate_media_frames_received_total");
      assertThat(scrape).doesNotContain("tonegate_media_frames_received_total 0.0");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
