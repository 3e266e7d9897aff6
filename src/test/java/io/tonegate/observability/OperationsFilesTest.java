package io.tonegate.observability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The shipped operations files: Prometheus config and alert rules pass {@code promtool}, and every metric a Grafana
 * panel or an alert queries is named by {@link #referencedMetrics()} for {@code DashboardCatalogTest} to check against
 * a real scrape.
 */
class OperationsFilesTest {

  private static final Pattern METRIC = Pattern.compile("\\b((?:tonegate|jvm|vertx|process|system)_[a-z0-9_]+)\\b");

  static Path projectDir() {
    return Path.of(System.getProperty("tonegate.basedir", "."));
  }

  /** Every PromQL expression in the dashboards and alert rules, keyed by where it is. */
  static Map<String, String> expressions() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(projectDir().resolve("grafana/dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonObject dashboard = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        JsonArray panels = dashboard.getJsonArray("panels");
        for (int p = 0; p < panels.size(); p++) {
          JsonObject panel = panels.getJsonObject(p);
          JsonArray targets = panel.getJsonArray("targets", new JsonArray());
          for (int t = 0; t < targets.size(); t++) {
            out.put(file.getFileName() + " / " + panel.getString("title") + " / " + t,
                targets.getJsonObject(t).getString("expr"));
          }
        }
      }
    }
    Pattern expr = Pattern.compile("^\\s*expr:\\s*(.+)$", Pattern.MULTILINE);
    Matcher m = expr.matcher(Files.readString(projectDir().resolve("conf/alerts.yml"), StandardCharsets.UTF_8));
    int i = 0;
    while (m.find()) {
      out.put("alerts.yml / rule " + i++, m.group(1));
    }
    return out;
  }

  /** Metric sample names the expressions use (e.g. {@code tonegate_media_frames_received_total}). */
  static Set<String> referencedMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String e : expressions().values()) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  @DisplayName("every dashboard panel and alert has a query, and the six dashboards are provisioned")
  void dashboardsHaveQueries() throws IOException {
    Map<String, String> expressions = expressions();
    assertThat(expressions).isNotEmpty();
    assertThat(expressions.values()).allSatisfy(e -> assertThat(e).isNotBlank());
    try (Stream<Path> files = Files.list(projectDir().resolve("grafana/dashboards"))) {
      assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactlyInAnyOrder(
          "tonegate-overview.json", "tonegate-media.json", "tonegate-auth.json", "tonegate-identity.json",
          "tonegate-presence.json", "tonegate-jvm.json");
    }
    assertThat(referencedMetrics()).contains("tonegate_caller_decision_latency_seconds_bucket",
        "tonegate_media_frame_processing_seconds_bucket", "tonegate_redis_command_errors_total");
  }

  @Test
  @DisplayName("promtool accepts the shipped Prometheus config and alert rules")
  void promtoolChecks() throws Exception {
    assertThat(promtool("check", "rules", "conf/alerts.yml")).contains("SUCCESS");
    assertThat(promtool("check", "config", "conf/prometheus.yml")).contains("SUCCESS");
  }

  private static String promtool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).directory(projectDir().toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return fail("promtool is not installed (Debian package 'prometheus'; .ci/run installs it): " + e.getMessage());
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return fail("promtool did not finish");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
