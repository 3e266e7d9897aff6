package io.tonegate.simulator.acs;

import io.tonegate.media.AudioFormat;
import io.tonegate.simulator.AudioScript;
import io.tonegate.simulator.CallSimulator;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Opens the media streams of the {@link AcsEmulator}'s calls with the media simulator ({@link CallSimulator}): the
 * WebSocket to the call's {@code transportUrl} with ACS's upgrade headers and token, AudioMetadata, then the call's
 * {@link AudioScript} (speech, silence, DTMF tones in-band and as DtmfData) in real time.
 */
public final class SimulatedMediaStreams implements AcsEmulator.MediaStreamOpener {

  private final CallSimulator simulator;
  private final AudioFormat format;
  private final Function<EmulatedCall, AudioScript> scripts;
  private final long lingerMs;
  private final Consumer<String> events;
  private final Map<String, Future<CallSimulator.CallResult>> results = new ConcurrentHashMap<>();

  /**
   * @param clientOptions TLS trust for the gateway's media endpoint
   * @param scripts what each call plays (e.g. the caller typing its code)
   * @param lingerMs how long a call stays open after its script (the gateway's answer tones arrive meanwhile)
   * @param events one line per stream event (connected, gateway messages, closed); may be null
   */
  public SimulatedMediaStreams(Vertx vertx, WebSocketClientOptions clientOptions, AudioFormat format,
                               Function<EmulatedCall, AudioScript> scripts, long lingerMs, Consumer<String> events) {
    this.simulator = new CallSimulator(vertx, clientOptions);
    this.format = format;
    this.scripts = scripts;
    this.lingerMs = lingerMs;
    this.events = events == null ? line -> { } : events;
  }

  @Override
  public Future<Void> open(EmulatedCall call, MultiMap headers) {
    String authorization = headers.get("Authorization");
    String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    Promise<Void> connected = Promise.promise();
    String id = call.callConnectionId();
    CallSimulator.Options options = new CallSimulator.Options(URI.create(call.transportUrl()), 1, format,
        scripts.apply(call), callId -> token, true, lingerMs, id, line -> {
          if (line.startsWith(id + ": connected")) {
            connected.tryComplete();
          } else if (line.startsWith(id + ": refused")) {
            connected.tryFail(line.substring(id.length() + 2));
          }
          events.accept(line);
        });
    Future<CallSimulator.CallResult> result = simulator.runCall(options, id);
    results.put(id, result);
    result.onComplete(done -> connected.tryFail("the stream ended before it connected"));
    return connected.future();
  }

  /** The outcome of a call's stream once it ended (what the gateway sent, the close code). */
  public Future<CallSimulator.CallResult> result(String callConnectionId) {
    Future<CallSimulator.CallResult> result = results.get(callConnectionId);
    return result == null ? Future.failedFuture("no stream for " + callConnectionId) : result;
  }
}
