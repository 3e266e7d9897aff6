package io.tonegate.simulator.acs;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.media.AudioFormat;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.CallSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code tonegate simulate --acs-emulator}: plays ACS end to end against a running gateway. It delivers IncomingCall
 * events to the gateway's {@code /api/events}, answers its Call Automation requests (HMAC-verified), posts the
 * callbacks, streams each answered call's media with the script (so the caller types its code), and hangs up the
 * calls still up at the end. The emulator's identity (access key, resource id, Event Grid secret, token signing
 * key) is kept in {@code <data-dir>/dev/acs-emulator.json} so the gateway can be configured once:
 * {@link #gatewayEnvironment} prints the settings.
 */
public final class AcsEmulatorRun {

  /** The emulator's persistent identity. */
  public record State(AcsAccessKey accessKey, String resourceId, String eventGridSecret, KeyPair signingKey) {
  }

  private AcsEmulatorRun() {
  }

  /** Loads {@code <dataDir>/dev/acs-emulator.json}, creating it (mode 0600) on first use. */
  public static State loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve("dev").resolve("acs-emulator.json");
    try {
      if (Files.exists(file)) {
        JsonObject json = new JsonObject(Files.readString(file));
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(
            new PKCS8EncodedKeySpec(Base64.getDecoder().decode(json.getString("signingKeyPkcs8"))));
        KeyPair pair = new KeyPair(rsa.generatePublic(
            new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent())), privateKey);
        return new State(AcsAccessKey.fromBase64(json.getString("accessKey")), json.getString("resourceId"),
            json.getString("eventGridSecret"), pair);
      }
      State state = new State(AcsAccessKey.generate(new SecureRandom()), UUID.randomUUID().toString(),
          UUID.randomUUID().toString(), AcsEmulator.newSigningKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, new JsonObject()
          .put("accessKey", state.accessKey().toBase64())
          .put("resourceId", state.resourceId())
          .put("eventGridSecret", state.eventGridSecret())
          .put("signingKeyPkcs8", Base64.getEncoder().encodeToString(state.signingKey().getPrivate().getEncoded()))
          .encodePrettily());
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException("unreadable emulator state in " + file + " (delete it to start afresh)", e);
    }
  }

  /** The environment a gateway needs to work with an emulator on {@code port} (secrets included: dev only). */
  public static List<String> gatewayEnvironment(State state, int port, String servedNumber) {
    String base = "http://127.0.0.1:" + port + "/";
    return List.of(
        "TONEGATE_CALLS_ACS_CONNECTION_STRING='endpoint=" + base + ";accesskey=" + state.accessKey().toBase64() + "'",
        "TONEGATE_CALLS_EVENT_GRID_SECRET=" + state.eventGridSecret(),
        "TONEGATE_CALLS_INCOMING_SERVE=" + servedNumber,
        "TONEGATE_CALLS_CALLBACKS_AUDIENCES=" + state.resourceId(),
        "TONEGATE_CALLS_CALLBACKS_JWKS_URL=" + base + "calling/keys",
        "TONEGATE_MEDIA_ACS_AUDIENCES=" + state.resourceId(),
        "TONEGATE_MEDIA_ACS_JWKS_URL=" + base + "calling/keys",
        // The emulator may start after the gateway: refetch its JWKS soon after a failed load (dev only).
        "TONEGATE_AUTH_JWKS_MIN_REFRESH_INTERVAL=1s");
  }

  /**
   * Runs {@code calls} incoming calls from consecutive numbers starting at {@code firstCaller} to {@code servedNumber}
   * and waits until each has ended. Returns 0 when every call was answered and streamed its media.
   */
  public static int run(State state, int port, String gatewayBaseUrl, WebClientOptions httpOptions,
                        WebSocketClientOptions wsOptions, int calls, String firstCaller, String servedNumber,
                        AudioScript script, int rate, long lingerMs, PrintWriter out) throws Exception {
    Vertx vertx = Vertx.vertx();
    AcsEmulator emulator = null;
    try {
      emulator = AcsEmulator.start(vertx, new AcsEmulator.Options(state.accessKey(), state.resourceId(),
          state.eventGridSecret(), null), port, state.signingKey()).await(10, TimeUnit.SECONDS);
      emulator.targetGateway(gatewayBaseUrl, httpOptions);
      SimulatedMediaStreams streams = new SimulatedMediaStreams(vertx, wsOptions, AudioFormat.pcm(rate),
          call -> script, lingerMs, line -> print(out, line));
      emulator.setMediaOpener(streams);
      print(out, "ACS emulator on " + emulator.endpoint() + ", delivering " + calls + " IncomingCall(s) to "
          + gatewayBaseUrl + "/api/events");
      long firstNumber = Long.parseLong(firstCaller.substring(1));
      List<String> correlations = new ArrayList<>();
      int failures = 0;
      for (int i = 0; i < calls; i++) {
        JsonObject event = emulator.incomingCallEvent(AcsEmulator.IncomingCallSpec.pstn("+" + (firstNumber + i),
            servedNumber));
        HttpResponse<Buffer> response = emulator.deliverEvents(new JsonArray().add(event)).await(30, TimeUnit.SECONDS);
        print(out, "IncomingCall from +" + (firstNumber + i) + ": gateway answered HTTP " + response.statusCode());
        if (response.statusCode() != 200) {
          failures++;
        }
        correlations.add(event.getJsonObject("data").getString("correlationId"));
      }
      long deadline = System.currentTimeMillis() + script.durationMs(rate) + lingerMs + 30_000;
      for (String correlation : correlations) {
        EmulatedCall call = awaitCall(emulator, correlation, 10_000);
        if (call == null) {
          print(out, "call " + correlation + ": never answered");
          failures++;
          continue;
        }
        CallSimulator.CallResult result = awaitResult(streams, call.callConnectionId(), deadline);
        String outcome = result == null ? "no media stream" : result.error() != null ? "refused: " + result.error()
            : "media closed " + result.closeCode() + ", " + result.received().size() + " message(s) from the gateway";
        boolean hungUpByGateway = emulator.requests().stream().anyMatch(r -> r.method().equals("DELETE")
            && r.path().endsWith("/" + call.callConnectionId()));
        if (!"disconnected".equals(call.state())) {
          emulator.remoteHangUp(call.callConnectionId()).await(10, TimeUnit.SECONDS);
        }
        print(out, "call " + call.callConnectionId() + ": " + outcome
            + (hungUpByGateway ? "; the gateway hung up" : "; the caller hung up"));
        if (result == null || result.error() != null) {
          failures++;
        }
      }
      print(out, calls + " call(s), " + failures + " failure(s)");
      return failures == 0 ? 0 : 1;
    } finally {
      if (emulator != null) {
        emulator.close();
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static EmulatedCall awaitCall(AcsEmulator emulator, String correlation, long timeoutMs)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      for (EmulatedCall call : emulator.calls()) {
        if (call.correlationId().equals(correlation)) {
          return call;
        }
      }
      Thread.sleep(20);
    }
    return null;
  }

  private static CallSimulator.CallResult awaitResult(SimulatedMediaStreams streams, String id, long deadline)
      throws InterruptedException {
    while (System.currentTimeMillis() < deadline) {
      Future<CallSimulator.CallResult> result = streams.result(id);
      if (result.succeeded()) {
        return result.result();
      }
      Thread.sleep(50);
    }
    return null;
  }

  private static void print(PrintWriter out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
