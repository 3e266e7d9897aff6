package io.tonegate.cli;

import io.tonegate.media.AudioFormat;
import io.tonegate.media.DevMediaKey;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.CallSimulator;
import io.tonegate.tls.DevCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.tonegate.simulator.acs.AcsEmulatorRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** {@code tonegate simulate}: plays the part of ACS media streaming against a gateway. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {
        "Act as ACS media streaming: open wss://.../ws/media with the ACS headers and a signed JWT, send AudioMetadata,",
        "then stream a script (or a WAV file) as real-time 20 ms AudioData frames, and print what the gateway sends back.",
        "Against a gateway in devMode on this machine it signs with the dev key in <data-dir>/dev/ (no setup needed).",
        "Script items: silence:500ms noise:2s dtmf:1234# dtmf:12/60/40 dtmfdata:5 pause:300ms wav:FILE",
        "Exit status: 0 when every call was accepted and closed normally (1000), 1 otherwise, 2 for bad usage.",
        "Caller mode (--ani/--sip-call-id/--call-connection-id/--code): one call dials its code(s) in-band with #, learns",
        "the outcome from the tones played back, prints it and exits 0 authenticated, 3 rejected or locked out, 1 other.",
        "  e.g. simulate --ani +15551234567 --code 823 --store-key"})
public final class SimulateCommand implements Callable<Integer> {

  static final String ACS_ISSUER = "https://acscallautomation.communication.azure.com";

  @Option(names = "--url", defaultValue = "wss://localhost:8443/ws/media", description = "Gateway media URL (${DEFAULT-VALUE}).")
  private URI url;

  @Option(names = "--calls", defaultValue = "1", description = "Concurrent calls (${DEFAULT-VALUE}).")
  private int calls;

  @Option(names = "--rate", defaultValue = "16000", description = "Sample rate: 16000 or 24000 (${DEFAULT-VALUE}).")
  private int rate;

  @Option(names = "--script", defaultValue = "silence:500ms,dtmf:1234#,silence:1s",
      description = "What each call sends (${DEFAULT-VALUE}).")
  private String script;

  @Option(names = "--wav", paramLabel = "FILE", description = "Stream this 16-bit mono WAV file instead of --script.")
  private Path wav;

  @Option(names = "--data-dir", defaultValue = "data",
      description = "The gateway's data directory: dev key and dev certificate (${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(names = "--audience", defaultValue = "tonegate-dev-acs-resource",
      description = "aud of the dev-signed JWT (the gateway's media.devAudience) (${DEFAULT-VALUE}).")
  private String audience;

  @Option(names = "--token", description = "Send this bearer token instead of signing one with the dev key.")
  private String token;

  @Option(names = "--trust-cert", paramLabel = "PEM",
      description = "Trust this certificate (default: <data-dir>/tls/dev-cert.pem when it exists).")
  private Path trustCert;

  @Option(names = "--call-id", defaultValue = "sim", description = "Call id prefix: PREFIX-1, PREFIX-2, ... (${DEFAULT-VALUE}).")
  private String callIdPrefix;

  @Option(names = "--unpaced", description = "Send frames as fast as the socket takes them (load tests).")
  private boolean unpaced;

  @Option(names = "--linger", defaultValue = "1000", description = "Milliseconds to wait for the gateway after the script (${DEFAULT-VALUE}).")
  private long lingerMs;

  @Option(names = "--quiet", description = "Print only the summary.")
  private boolean quiet;

  @Option(names = "--acs-emulator", description = {
      "Play ACS end to end: deliver IncomingCall events to the gateway at --url's host, answer its Call Automation",
      "requests (HMAC-verified), post callbacks, and stream each answered call's media with the script.",
      "Configure the gateway first with the lines --print-gateway-env prints (docs/calls.md)."})
  private boolean acsEmulator;

  @Option(names = "--print-gateway-env", description = "Print the gateway settings for --acs-emulator and exit.")
  private boolean printGatewayEnv;

  @Option(names = "--acs-port", defaultValue = "8444", description = "Port of the ACS emulator on 127.0.0.1 (${DEFAULT-VALUE}).")
  private int acsPort;

  @Option(names = "--from", defaultValue = "+14255550100",
      description = "With --acs-emulator: the first caller's number; call n comes from it plus n-1 (${DEFAULT-VALUE}).")
  private String fromNumber;

  @Option(names = "--to", defaultValue = "+18005550100",
      description = "With --acs-emulator: the number called, which the gateway serves (${DEFAULT-VALUE}).")
  private String toNumber;

  @Mixin
  private SimulateCallerOptions caller;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (rate != 16_000 && rate != 24_000) {
      err.println("tonegate simulate: --rate must be 16000 or 24000");
      return Main.EXIT_USAGE;
    }
    if (calls < 1 || calls > 100_000) {
      err.println("tonegate simulate: --calls must be between 1 and 100000");
      return Main.EXIT_USAGE;
    }
    if (printGatewayEnv) {
      AcsEmulatorRun.gatewayEnvironment(AcsEmulatorRun.loadOrCreate(dataDir), acsPort, toNumber).forEach(out::println);
      out.flush();
      return 0;
    }
    if (acsEmulator && (!fromNumber.matches("\\+[1-9]\\d{6,13}") || !toNumber.matches("\\+[1-9]\\d{1,14}"))) {
      err.println("tonegate simulate: --from and --to must be E.164 numbers like +14255550100");
      return Main.EXIT_USAGE;
    }
    AudioScript audio;
    Function<String, String> tokens;
    try {
      audio = AudioScript.parse(wav != null ? "wav:" + wav : script, rate);
      tokens = acsEmulator ? null : tokens();
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("tonegate simulate: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    WebSocketClientOptions options = new WebSocketClientOptions().setMaxConnections(Math.max(calls, 4))
        .setConnectTimeout(10_000);
    Path cert = trustCert != null ? trustCert : dataDir.resolve("tls").resolve(DevCertificate.CERT_FILE);
    if (Files.exists(cert)) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(cert.toString()));
    } else if (trustCert != null) {
      err.println("tonegate simulate: no certificate at " + cert);
      return Main.EXIT_USAGE;
    }
    if (acsEmulator) {
      return runWithAcsEmulator(audio, options, cert, out, err);
    }
    if (caller.active()) {
      return caller.run(url, rate, dataDir, options, tokens, out, err);
    }
    Vertx vertx = Vertx.vertx();
    try {
      CallSimulator simulator = new CallSimulator(vertx, options);
      out.printf("simulating %d call(s) to %s: %s at %d Hz, %s%n", calls, url, wav != null ? wav : script, rate,
          unpaced ? "unpaced" : "real time");
      out.flush();
      CallSimulator.Options run = new CallSimulator.Options(url, calls, AudioFormat.pcm(rate), audio, tokens,
          !unpaced, lingerMs, callIdPrefix, quiet ? null : line -> {
            synchronized (out) {
              out.println(line);
              out.flush();
            }
          });
      long timeoutMs = audio.durationMs(rate) + lingerMs + 60_000;
      CallSimulator.Report report = simulator.run(run).await(timeoutMs, TimeUnit.MILLISECONDS);
      double seconds = Math.max(report.elapsedMs(), 1) / 1000.0;
      out.printf("%d call(s): %s; %d frames sent in %.1f s (%.0f frames/s)%n", calls, report.outcomes(),
          report.framesSent(), seconds, report.framesSent() / seconds);
      out.flush();
      boolean allNormal = report.calls().stream().allMatch(c -> c.error() == null && c.closeCode() == 1000);
      return allNormal ? 0 : 1;
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

  private int runWithAcsEmulator(AudioScript audio, WebSocketClientOptions wsOptions, Path cert, PrintWriter out,
                                 PrintWriter err) {
    String gateway = (url.getScheme().equalsIgnoreCase("wss") ? "https" : "http") + "://" + url.getHost()
        + (url.getPort() > 0 ? ":" + url.getPort() : "");
    WebClientOptions httpOptions = new WebClientOptions();
    if (Files.exists(cert)) {
      httpOptions.setTrustOptions(new PemTrustOptions().addCertPath(cert.toString()));
    }
    try {
      AcsEmulatorRun.State state = AcsEmulatorRun.loadOrCreate(dataDir);
      return AcsEmulatorRun.run(state, acsPort, gateway, httpOptions, wsOptions, calls, fromNumber, toNumber, audio,
          rate, lingerMs, out);
    } catch (Exception e) {
      err.println("tonegate simulate: " + e.getMessage());
      return 1;
    }
  }

  private Function<String, String> tokens() {
    if (token != null) {
      return id -> token;
    }
    Optional<DevMediaKey> key = DevMediaKey.load(dataDir);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("no dev key at " + DevMediaKey.path(dataDir)
          + ": start the gateway in devMode with the same data directory first, or pass --token");
    }
    return id -> key.get().signMediaToken(ACS_ISSUER, audience, Duration.ofHours(24));
  }
}
