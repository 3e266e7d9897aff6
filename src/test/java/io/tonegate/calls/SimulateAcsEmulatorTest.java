package io.tonegate.calls;

import io.tonegate.cli.Main;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.acs.AcsEmulatorRun;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("simulate --acs-emulator plays ACS against a running gateway")
class SimulateAcsEmulatorTest {

  @Test
  @DisplayName("--print-gateway-env prints the settings, the same on every run (the state is kept in the data dir)")
  void printsEnvironment() {
    Path dir = TestRedis.dataRoot().resolve("sim-" + UUID.randomUUID());
    String first = run("simulate", "--print-gateway-env", "--data-dir", dir.toString());
    String second = run("simulate", "--print-gateway-env", "--data-dir", dir.toString());
    assertThat(first).contains("TONEGATE_CALLS_ACS_CONNECTION_STRING='endpoint=http://127.0.0.1:8444/;accesskey=",
        "TONEGATE_CALLS_EVENT_GRID_SECRET=", "TONEGATE_CALLS_CALLBACKS_AUDIENCES=", "TONEGATE_MEDIA_ACS_JWKS_URL=");
    assertThat(second).isEqualTo(first);
  }

  @Test
  @DisplayName("calls are delivered, answered, stream their media and end; the summary counts no failure")
  void runsCalls() throws Exception {
    Path dir = TestRedis.dataRoot().resolve("sim-" + UUID.randomUUID());
    AcsEmulatorRun.State state = AcsEmulatorRun.loadOrCreate(dir);
    int port = freePort();
    String base = "http://127.0.0.1:" + port + "/";
    JsonObject overrides = new JsonObject()
        .put("auth", new JsonObject().put("jwks", new JsonObject().put("minRefreshInterval", "0s")))
        .put("media", new JsonObject().put("acs", new JsonObject()
            .put("audiences", new JsonArray().add(state.resourceId())).put("jwksUrl", base + "calling/keys")))
        .put("calls", new JsonObject()
            .put("acs", new JsonObject().put("connectionString",
                "endpoint=" + base + ";accesskey=" + state.accessKey().toBase64()))
            .put("eventGrid", new JsonObject().put("secret", state.eventGridSecret()))
            .put("incoming", new JsonObject().put("serve", new JsonArray().add("+18005550100")))
            .put("callbacks", new JsonObject().put("audiences", new JsonArray().add(state.resourceId()))
                .put("jwksUrl", base + "calling/keys")));
    try (TestGateway gateway = TestGateway.start(overrides)) {
      StringWriter text = new StringWriter();
      int code = AcsEmulatorRun.run(state, port, gateway.baseUrl(),
          new WebClientOptions().setTrustOptions(new PemTrustOptions().addCertPath(gateway.certPath().toString())),
          gateway.webSocketOptions(), 2, "+14255550100", "+18005550100",
          AudioScript.parse("silence:200ms,dtmf:823#,silence:300ms", 16000), 16000, 300, new PrintWriter(text));
      assertThat(text.toString()).contains("IncomingCall from +14255550100: gateway answered HTTP 200",
          "IncomingCall from +14255550101: gateway answered HTTP 200", "2 call(s), 0 failure(s)");
      assertThat(code).isZero();
    }
  }

  private static String run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(args)).isZero();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
