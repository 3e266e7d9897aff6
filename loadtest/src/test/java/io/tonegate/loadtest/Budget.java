package io.tonegate.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The latency budget, read from the table in {@code docs/latency-budget.md} (the one written promise), so the
 * assertions cannot drift from the document: each simulation asks for the p99 of its Gatling request names.
 * The file is {@code -Dtonegate.budget=PATH}, by default {@code ../docs/latency-budget.md} (run from
 * {@code loadtest/}).
 */
public final class Budget {

  /** Failed requests must stay below this share, in percent, in every simulation. */
  public static final double MAX_FAILED_PERCENT = 0.1;

  // | step | 20 ms | `TokensSimulation` | `issue token` |
  private static final Pattern ROW = Pattern.compile(
      "^\\|[^|]*\\|\\s*(\\d+(?:\\.\\d+)?)\\s*ms\\s*\\|[^|]*\\|\\s*`([^`]+)`\\s*\\|\\s*$");

  private Budget() {
  }

  /**
   * The p99 budget in milliseconds of the step whose Gatling name is {@code requestName}, times
   * {@code -Dbudget.scale} (default 1). Only the CI smoke run scales it: a few seconds on cold JVMs on a shared
   * machine check that the simulations work, not the steady-state latency.
   */
  public static int p99Millis(String requestName) {
    return (int) Math.floor(documentedP99Millis(requestName) * LoadProfile.doubleProperty("budget.scale", 1.0));
  }

  /** The p99 budget in milliseconds as the document states it. */
  public static double documentedP99Millis(String requestName) {
    Path file = Path.of(System.getProperty("tonegate.budget", "../docs/latency-budget.md"));
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the latency budget " + file.toAbsolutePath(), e);
    }
    for (String line : lines) {
      Matcher m = ROW.matcher(line.trim());
      if (m.matches() && m.group(2).equals(requestName)) {
        return Double.parseDouble(m.group(1));
      }
    }
    throw new IllegalStateException("no row with Gatling name `" + requestName + "` in " + file.toAbsolutePath());
  }
}
