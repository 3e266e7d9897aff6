package io.tonegate.cli;

import io.tonegate.media.DigitEvent;
import io.tonegate.media.MediaModule;
import io.tonegate.media.MediaSessionObserver;
import io.tonegate.testing.TestGateway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("tonegate simulate: the ACS call simulator against a real gateway in devMode")
class SimulateCommandTest {

  /** Runs the jar's command line in-process, its output and errors into {@code out}; returns the exit code. */
  static int run(StringWriter out, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  @DisplayName("two calls with the dev key stream DTMF that the gateway detects, and exit 0")
  void simulateCalls() {
    try (TestGateway gateway = TestGateway.start()) {
      List<String> digits = new CopyOnWriteArrayList<>();
      gateway.gateway().module(MediaModule.class).orElseThrow().addObserverFactory(session -> new MediaSessionObserver() {
        @Override
        public void onDigit(DigitEvent digit) {
          digits.add(session.callConnectionId() + ":" + digit.digit());
        }
      });
      StringWriter out = new StringWriter();
      int exit = run(out, "simulate", "--url", "wss://localhost:" + gateway.port() + "/ws/media",
          "--data-dir", gateway.gateway().context().config().server().dataDir().toString(),
          "--calls", "2", "--rate", "24000", "--script", "silence:100ms,dtmf:42,dtmfdata:9,silence:200ms",
          "--linger", "200");
      assertThat(exit).as(out.toString()).isZero();
      assertThat(out.toString()).contains("sim-1: connected", "sim-2: closed 1000", "{closed 1000=2}");
      assertThat(digits).containsExactlyInAnyOrder("sim-1:4", "sim-1:2", "sim-1:9", "sim-2:4", "sim-2:2", "sim-2:9");
    }
  }

  @Test
  @DisplayName("bad usage exits 2 with one line: unknown script item, bad rate, missing dev key")
  void badUsage() {
    StringWriter out = new StringWriter();
    assertThat(run(out, "simulate", "--script", "whistle:1s", "--token", "x")).isEqualTo(2);
    assertThat(out.toString()).contains("unknown script item 'whistle:1s'");
    assertThat(run(out, "simulate", "--rate", "8000")).isEqualTo(2);
    assertThat(run(out, "simulate", "--data-dir", "/nonexistent")).isEqualTo(2);
    assertThat(out.toString()).contains("no dev key at");
  }

  @Test
  @DisplayName("a refused upgrade (bad token) makes the run exit 1")
  void refused() {
    try (TestGateway gateway = TestGateway.start()) {
      StringWriter out = new StringWriter();
      int exit = run(out, "simulate", "--url", "wss://localhost:" + gateway.port() + "/ws/media",
          "--trust-cert", gateway.certPath().toString(), "--token", "not-a-jwt", "--script", "silence:100ms");
      assertThat(exit).isEqualTo(1);
      assertThat(out.toString()).contains("refused");
    }
  }
}
