package io.tonegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves the gateway's {@code /metrics} and this machine's CPU counters at the start and the end of the measured
 * window, into {@code -Dtonegate.snapshots=DIR} ({@code start-metrics.txt}, {@code start-load.txt}, {@code end-...}):
 * run.sh computes the server-side frame-processing p99 and the CPU use (gateway, Gatling, whole machine) between
 * them, so the warm-up and the cool-down do not count. Without the property nothing is saved.
 */
public final class ServerSnapshots {

  private final String dir = System.getProperty("tonegate.snapshots", "").trim();

  /** A one-user scenario: waits {@code startAfter}, snapshots, waits {@code window}, snapshots. */
  public PopulationBuilder population(java.time.Duration startAfter, java.time.Duration window) {
    return scenario("gateway snapshots")
        .exec(pause(startAfter))
        .exec(snapshot("start"))
        .exec(pause(window))
        .exec(snapshot("end"))
        .injectOpen(atOnceUsers(1));
  }

  private ChainBuilder snapshot(String label) {
    if (dir.isEmpty()) {
      return exec(session -> session);
    }
    return exec(http("scrape metrics").get("/metrics").check(status().is(200), bodyString().saveAs("metrics")))
        .exec(session -> {
          write(label + "-metrics.txt", session.getString("metrics"));
          write(label + "-load.txt", load());
          return session.remove("metrics");
        });
  }

  /** wall_ms, this JVM's CPU time (ns) and the first line of /proc/stat (whole machine, in clock ticks). */
  private static String load() {
    long cpuNs = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    String stat;
    try {
      stat = Files.readAllLines(Path.of("/proc/stat")).get(0);
    } catch (IOException | RuntimeException e) {
      stat = "cpu";
    }
    return "wall_ms " + System.currentTimeMillis() + "\ngatling_cpu_ns " + cpuNs + "\nproc_stat " + stat + "\n";
  }

  private void write(String name, String content) {
    try {
      Files.createDirectories(Path.of(dir));
      Files.writeString(Path.of(dir, name), content == null ? "" : content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
