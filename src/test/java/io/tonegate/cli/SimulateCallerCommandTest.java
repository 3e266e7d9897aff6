package io.tonegate.cli;

import io.tonegate.testing.TestGateway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;

import static io.tonegate.cli.SimulateCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("tonegate simulate in caller mode: one command against a devMode gateway")
class SimulateCallerCommandTest {

  @Test
  @DisplayName("--store-key then the code: exit 0 authenticated; replaying it: exit 1; three wrong codes: exit 3")
  void callerMode() {
    try (TestGateway gateway = TestGateway.start()) {
      String url = "wss://localhost:" + gateway.port() + "/ws/media";
      String dataDir = gateway.gateway().context().config().server().dataDir().toString();
      StringWriter ok = new StringWriter();
      assertThat(run(ok, "simulate", "--url", url, "--data-dir", dataDir, "--ani", "+15551230001", "--code", "823",
          "--store-key")).as(ok.toString()).isZero();
      assertThat(ok.toString()).contains("stored session key pstn:+15551230001:***", "heard ACCEPTED",
          "AUTHENTICATED").doesNotContain(":823");

      StringWriter replay = new StringWriter();
      assertThat(run(replay, "simulate", "--url", url, "--data-dir", dataDir, "--ani", "+15551230001", "--code",
          "823")).as(replay.toString()).isEqualTo(1);
      assertThat(replay.toString()).contains("heard TRY_AGAIN", "NO_MORE_CODES");

      StringWriter rejected = new StringWriter();
      assertThat(run(rejected, "simulate", "--url", url, "--data-dir", dataDir, "--ani", "+15551230002",
          "--code", "111", "--code", "222", "--code", "333")).as(rejected.toString()).isEqualTo(3);
      assertThat(rejected.toString()).contains("heard REJECTED", "REJECTED");
    }
  }

  @Test
  @DisplayName("bad caller-mode usage exits 2 with one line")
  void badUsage() {
    StringWriter out = new StringWriter();
    assertThat(run(out, "simulate", "--token", "x", "--ani", "5551234567", "--code", "1")).isEqualTo(2);
    assertThat(out.toString()).contains("--ani must be E.164");
    assertThat(run(out, "simulate", "--token", "x", "--ani", "+15551234567")).isEqualTo(2);
    assertThat(out.toString()).contains("needs at least one --code");
    assertThat(run(out, "simulate", "--token", "x", "--code", "12a")).isEqualTo(2);
    assertThat(run(out, "simulate", "--token", "x", "--ani", "+15551234567", "--code", "1", "--data-dir",
        "/nonexistent")).isEqualTo(2);
    assertThat(out.toString()).contains("no access key");
  }
}
