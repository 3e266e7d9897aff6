package io.tonegate.cli;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsConnectionString;
import io.tonegate.media.AudioFormat;
import io.tonegate.session.E164;
import io.tonegate.session.SessionApiClient;
import io.tonegate.session.SessionApiClient.ApiException;
import io.tonegate.simulator.CallerSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code simulate}'s caller mode: one call that authenticates like a caller (see docs/caller-auth.md). Active when
 * any of {@code --ani}, {@code --sip-call-id}, {@code --call-connection-id} or {@code --code} is given.
 *
 * <pre>
 * simulate --ani +15551234567 --code 823 --store-key          # PSTN, one command against a dev gateway
 * simulate --ani +15551234567 --code 111 --code 823 --store-key   # a wrong code first, then the right one
 * simulate --sip-call-id a84b4c76e66710@pc33.example --store-key
 * simulate --call-connection-id 441f1200-... --store-key      # API flow
 * </pre>
 *
 * The gateway must know the call: on a development gateway the simulator registers it through
 * {@code POST /api/dev/calls} (signed with the access key); with {@code --call-connection-id} of a call that already
 * has a record (answered by the calls module), that step finds it and goes on. {@code --store-key} first stores the
 * matching session key (for the last {@code --code}) through {@code POST /api/sessions}.
 */
public final class SimulateCallerOptions {

  /** Where a development gateway keeps its generated access key (identity module, devMode). */
  static final String DEV_ACCESS_KEY_FILE = "identity/access-key";

  @Option(names = "--ani", paramLabel = "E164",
      description = "Caller mode, PSTN flow: the caller's number, e.g. +15551234567.")
  String ani;

  @Option(names = "--code", paramLabel = "DIGITS",
      description = "Caller mode: a code to dial in-band, then #. Repeat for further attempts after 'try again'.")
  List<String> codes = new ArrayList<>();

  @Option(names = "--sip-call-id", paramLabel = "ID", description = "Caller mode, SIP flow: the call's SIP Call-ID.")
  String sipCallId;

  @Option(names = "--call-connection-id", paramLabel = "ID",
      description = "Caller mode: use this call connection id (API flow when neither --ani nor --sip-call-id).")
  String callConnectionId;

  @Option(names = "--store-key", description = "Caller mode: store the matching session key first (for the last --code).")
  boolean storeKey;

  @Option(names = "--connection-string", paramLabel = "CS",
      description = "Caller mode: endpoint=...;accesskey=... for the session and dev call APIs "
          + "(default: $TONEGATE_CONNECTION_STRING, else the dev key in <data-dir>/" + DEV_ACCESS_KEY_FILE + ").")
  String connectionString;

  @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
      description = "Caller mode: longest wait for the outcome (${DEFAULT-VALUE}).")
  String timeout;

  boolean active() {
    return ani != null || sipCallId != null || callConnectionId != null || !codes.isEmpty();
  }

  /** Runs the caller; returns the exit status (0 authenticated, 3 rejected or locked out, 1 other, 2 usage). */
  int run(URI mediaUrl, int rate, Path dataDir, WebSocketClientOptions wsOptions, Function<String, String> tokens,
          PrintWriter out, PrintWriter err) {
    String flow = ani != null ? "pstn" : sipCallId != null ? "sip" : "api";
    if (ani != null && sipCallId != null) {
      return usage(err, "give --ani (PSTN) or --sip-call-id (SIP), not both");
    }
    if (ani != null && !E164.isCanonical(ani)) {
      return usage(err, "--ani must be E.164: +, country code and number, e.g. +15551234567");
    }
    if (ani != null && codes.isEmpty()) {
      return usage(err, "the PSTN flow needs at least one --code");
    }
    if ("api".equals(flow) && callConnectionId == null) {
      return usage(err, "give --ani, --sip-call-id or --call-connection-id");
    }
    for (String code : codes) {
      if (!code.matches("[0-9]{1,32}")) {
        return usage(err, "--code must be digits 0-9");
      }
    }
    Duration wait;
    try {
      wait = Duration.parse("PT" + timeout.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (RuntimeException e) {
      return usage(err, "--timeout must be like 30s or 2m");
    }
    URI api = URI.create(mediaUrl.toString().replaceFirst("^ws", "http").replaceFirst("/ws/media.*$", ""));
    AcsAccessKey key;
    try {
      key = accessKey(dataDir);
    } catch (IllegalArgumentException | IOException e) {
      return usage(err, e.getMessage());
    }
    Vertx vertx = Vertx.vertx();
    try {
      WebClientOptions httpOptions = new WebClientOptions().setSsl("https".equals(api.getScheme()))
          .setConnectTimeout(10_000);
      if (wsOptions.getTrustOptions() != null) {
        httpOptions.setTrustOptions(wsOptions.getTrustOptions());
      }
      WebClient web = WebClient.create(vertx, httpOptions);
      SessionApiClient client = SessionApiClient.withAccessKey(web, api, key);
      String lastCode = codes.isEmpty() ? null : codes.get(codes.size() - 1);
      if (storeKey) {
        String sessionKey = switch (flow) {
          case "pstn" -> "pstn:" + ani + ":" + lastCode;
          case "sip" -> "sip:" + sipCallId + (lastCode == null ? "" : ":" + lastCode);
          default -> "acs:" + callConnectionId;
        };
        JsonObject stored = client.storeKey(sessionKey, new JsonObject().put("who", "simulator")
            .put("purpose", "tonegate simulate"), Duration.ofMinutes(10), true).await(15, TimeUnit.SECONDS);
        out.printf("stored session key %s (id %s)%n", stored.getString("key"), stored.getString("id"));
      }
      String call = registerCall(client, flow, out);
      out.printf("calling as %s (flow %s, call %s)%n", ani != null ? ani : sipCallId != null ? sipCallId : "app",
          flow, call);
      out.flush();
      CallerSimulator.Result result = new CallerSimulator(vertx, wsOptions).run(new CallerSimulator.Options(
              mediaUrl, call, tokens.apply(call), AudioFormat.pcm(rate), codes, wait, line -> {
                out.println("  " + line);
                out.flush();
              }))
          .await(wait.toMillis() + 30_000, TimeUnit.MILLISECONDS);
      out.printf("%s%s%n", result.outcome(), result.decisionMs() >= 0
          ? " (decision heard " + result.decisionMs() + " ms after the start of #)" : "");
      out.flush();
      return result.outcome().exitCode();
    } catch (ApiException e) {
      err.println("tonegate simulate: the gateway refused: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("tonegate simulate: " + e.getMessage());
      return 1;
    } finally {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }
  }

  /** Registers the simulated call's record (dev gateways), or accepts an existing call with that id. */
  private String registerCall(SessionApiClient client, String flow, PrintWriter out) throws Exception {
    JsonObject call = new JsonObject().put("flow", flow);
    if (ani != null) {
      call.put("ani", ani);
    }
    if (sipCallId != null) {
      call.put("sipCallId", sipCallId);
    }
    if (callConnectionId != null) {
      call.put("callConnectionId", callConnectionId);
    }
    try {
      return client.createSimulatedCall(call).await(15, TimeUnit.SECONDS).getString("callConnectionId");
    } catch (ApiException e) {
      if (callConnectionId != null && (e.status() == 409 || e.status() == 404)) {
        out.printf("call %s: using its existing record (%s)%n", callConnectionId,
            e.status() == 409 ? "already registered" : "no dev call API on this gateway");
        return callConnectionId;
      }
      throw e;
    }
  }

  private AcsAccessKey accessKey(Path dataDir) throws IOException {
    String cs = connectionString != null ? connectionString : System.getenv("TONEGATE_CONNECTION_STRING");
    if (cs != null && !cs.isBlank()) {
      return AcsConnectionString.parse(cs.trim()).accessKey();
    }
    Path file = dataDir.resolve(DEV_ACCESS_KEY_FILE);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no access key: pass --connection-string (or TONEGATE_CONNECTION_STRING), "
          + "or run against a devMode gateway whose data directory is --data-dir (" + file + " is missing)");
    }
    return AcsAccessKey.fromBase64(Files.readString(file, StandardCharsets.US_ASCII).trim());
  }

  private static int usage(PrintWriter err, String message) {
    err.println("tonegate simulate: " + message);
    err.flush();
    return Main.EXIT_USAGE;
  }
}
