package io.tonegate.simulator;

import io.tonegate.media.AudioFormat;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs simulated ACS calls against a gateway: each call connects like ACS, sends AudioMetadata, then plays its
 * {@link AudioScript} as 20 ms AudioData frames, paced in real time (or as fast as the socket takes them), lingers
 * to collect what the gateway sends back, and closes with 1000.
 */
public final class CallSimulator {

  /**
   * @param url          the gateway's media URL, e.g. {@code wss://localhost:8443/ws/media}
   * @param calls        concurrent calls
   * @param format       the stream format (16 or 24 kHz)
   * @param script       what each call sends
   * @param tokens       the bearer token of each call id (null: none)
   * @param paced        real time (50 frames a second) or as fast as possible
   * @param lingerMs     time to wait after the script before closing
   * @param callIdPrefix call ids are {@code prefix-1}, {@code prefix-2}, ...
   * @param events       receives one line per event (connected, message from the gateway, closed); may be null
   */
  public record Options(URI url, int calls, AudioFormat format, AudioScript script, Function<String, String> tokens,
                        boolean paced, long lingerMs, String callIdPrefix, Consumer<String> events) {
  }

  /** The outcome of one call. */
  public record CallResult(String callConnectionId, int framesSent, int closeCode, List<String> received,
                           String error) {
  }

  /** The outcome of a run. */
  public record Report(List<CallResult> calls, long elapsedMs) {

    public long framesSent() {
      return calls.stream().mapToLong(CallResult::framesSent).sum();
    }

    public Map<String, Integer> outcomes() {
      Map<String, Integer> counts = new TreeMap<>();
      for (CallResult call : calls) {
        counts.merge(call.error() != null ? "refused" : "closed " + call.closeCode(), 1, Integer::sum);
      }
      return counts;
    }
  }

  private final Vertx vertx;
  private final WebSocketClientOptions clientOptions;

  public CallSimulator(Vertx vertx, WebSocketClientOptions clientOptions) {
    this.vertx = vertx;
    this.clientOptions = clientOptions;
  }

  /** Runs all calls concurrently; completes when every call has ended. */
  public Future<Report> run(Options options) {
    long start = System.nanoTime();
    List<Future<CallResult>> calls = new ArrayList<>();
    for (int i = 1; i <= options.calls(); i++) {
      String id = options.callIdPrefix() + "-" + i;
      calls.add(runCall(options, id));
    }
    return Future.join(calls).map(done -> {
      List<CallResult> results = new ArrayList<>();
      for (Future<CallResult> call : calls) {
        results.add(call.result());
      }
      return new Report(results, (System.nanoTime() - start) / 1_000_000);
    });
  }

  /** One call; never fails (a refusal is a result with an error). */
  public Future<CallResult> runCall(Options options, String callConnectionId) {
    AcsMediaClient.Target target = new AcsMediaClient.Target(options.url(), callConnectionId,
        "corr-" + callConnectionId, options.tokens() == null ? null : options.tokens().apply(callConnectionId));
    Consumer<String> events = options.events() == null ? line -> { } : options.events();
    return AcsMediaClient.connect(vertx, clientOptions, target).compose(client -> {
      events.accept(callConnectionId + ": connected");
      client.onMessage(message -> events.accept(callConnectionId + " <- " + describe(message)));
      client.sendMetadata(options.format());
      Promise<CallResult> result = Promise.promise();
      new Player(client, options, result).next();
      client.closed().onComplete(code -> {
        events.accept(callConnectionId + ": closed " + code.result());
      });
      return result.future();
    }).recover(e -> {
      events.accept(callConnectionId + ": refused (" + e.getMessage() + ")");
      return Future.succeededFuture(new CallResult(callConnectionId, 0, 0, List.of(), String.valueOf(e.getMessage())));
    });
  }

  /** A short description of a gateway message for the console. */
  static String describe(String message) {
    if (message.contains("\"kind\":\"AudioData\"")) {
      int start = message.indexOf("\"data\":\"") + 8;
      int end = message.indexOf('"', start);
      int bytes = start > 7 && end > start ? (end - start) / 4 * 3 : -1;
      return "AudioData (" + bytes + " bytes of PCM)";
    }
    return message.length() > 200 ? message.substring(0, 200) + "..." : message;
  }

  /** Sends the script's frames of one call, paced or as fast as the socket allows. */
  private final class Player {
    private final AcsMediaClient client;
    private final Options options;
    private final Promise<CallResult> result;
    private final List<AudioScript.Step> steps;
    private final int frameBytes;
    private int step;
    private int offset;
    private int framesSent;
    private long startNanos = System.nanoTime();
    private long scheduledMs;  // stream time of the next frame
    private boolean finished;

    Player(AcsMediaClient client, Options options, Promise<CallResult> result) {
      this.client = client;
      this.options = options;
      this.result = result;
      this.steps = options.script().steps();
      this.frameBytes = options.format().frameBytes();
      client.closed().onComplete(code -> finish(code.result()));
    }

    void next() {
      if (finished) {
        return;
      }
      while (step < steps.size()) {
        if (options.paced()) {
          long nowMs = (System.nanoTime() - startNanos) / 1_000_000;
          if (scheduledMs > nowMs) {
            vertx.setTimer(Math.max(1, scheduledMs - nowMs), id -> next());
            return;
          }
        } else if (client.writeQueueFull()) {
          client.drainHandler(this::next);
          return;
        }
        AudioScript.Step current = steps.get(step);
        if (current.dtmfData() != null) {
          for (char c : current.dtmfData().toCharArray()) {
            client.sendDtmf(c);
          }
          step++;
        } else if (current.pcm() == null) {
          scheduledMs += current.pauseMs();
          if (!options.paced()) {
            step++;
            vertx.setTimer(Math.max(1, current.pauseMs()), id -> next());
            return;
          }
          step++;
        } else {
          byte[] pcm = current.pcm();
          int length = Math.min(frameBytes, pcm.length - offset);
          if (length == frameBytes) {
            client.sendAudio(pcm, offset, length, current.silent());
          } else {
            byte[] padded = new byte[frameBytes]; // the last partial frame is padded with silence
            System.arraycopy(pcm, offset, padded, 0, length);
            client.sendAudio(padded, 0, frameBytes, current.silent());
          }
          framesSent++;
          scheduledMs += 20;
          offset += frameBytes;
          if (offset >= pcm.length) {
            offset = 0;
            step++;
          }
        }
      }
      vertx.setTimer(Math.max(1, options.lingerMs()), id -> client.close(1000, "call ended"));
    }

    private void finish(int closeCode) {
      if (finished) {
        return;
      }
      finished = true;
      result.tryComplete(new CallResult(client.callConnectionId(), framesSent, closeCode, client.received(), null));
    }
  }
}
