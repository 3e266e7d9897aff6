package io.tonegate.simulator;

import io.tonegate.audio.ToneGenerator;
import io.tonegate.caller.OutcomeTone;
import io.tonegate.caller.OutcomeToneDetector;
import io.tonegate.media.AudioFormat;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A caller, as the gateway's caller authentication meets one: connects to {@code /ws/media} like ACS, streams
 * real-time audio (silence, then each code as in-band DTMF followed by {@code #}), and learns the outcome the way a
 * person does, by listening to what the gateway plays back: the outbound AudioData is decoded with the
 * {@link OutcomeToneDetector}. On "try again" it waits for the prompt to end and dials its next code, if it has one.
 *
 * <pre>{@code
 * CallerSimulator.Result r = new CallerSimulator(vertx, wsOptions).run(new CallerSimulator.Options(
 *     URI.create("wss://localhost:8443/ws/media"), callConnectionId, token, AudioFormat.PCM_16K,
 *     List.of("111", "823"), Duration.ofSeconds(30), System.out::println)).await();
 * // r.outcome() == AUTHENTICATED, r.heard() == [TRY_AGAIN, ACCEPTED]
 * }</pre>
 */
public final class CallerSimulator {

  /** How the simulated call ended. */
  public enum Outcome {
    /** The gateway played the accepted tone. */
    AUTHENTICATED,
    /** The gateway played the rejected tone. */
    REJECTED,
    /** The gateway played the locked-out tone. */
    LOCKED_OUT,
    /** The gateway asked to try again and the caller had no code left. */
    NO_MORE_CODES,
    /** No outcome within the time allowed. */
    TIMEOUT,
    /** The upgrade was refused or the gateway closed the stream first. */
    FAILED;

    /** {@code simulate}'s exit status: 0 authenticated, 3 rejected or locked out, 1 anything else. */
    public int exitCode() {
      return switch (this) {
        case AUTHENTICATED -> 0;
        case REJECTED, LOCKED_OUT -> 3;
        default -> 1;
      };
    }
  }

  /**
   * @param url              the gateway's media URL
   * @param callConnectionId the call (its record must exist in the gateway's Redis)
   * @param token            the bearer token of the media upgrade
   * @param format           stream format
   * @param codes            one code per attempt, dialed in order (empty for flows without a code)
   * @param timeout          longest wait for an outcome
   * @param log              receives one line per event; may be null
   */
  public record Options(URI url, String callConnectionId, String token, AudioFormat format, List<String> codes,
                        Duration timeout, Consumer<String> log) {
  }

  /**
   * @param outcome        how it ended
   * @param heard          the outcome tones heard, in order
   * @param decisionMs     for the last attempt, time from the start of its {@code #} tone to hearing the decision
   *                       (negative when unknown); the gateway recognises {@code #} about 30 ms into the tone
   * @param detail         a short explanation for FAILED/TIMEOUT
   */
  public record Result(Outcome outcome, List<OutcomeTone> heard, long decisionMs, String detail) {
  }

  /** DTMF key tone and gap, well above ITU-T Q.24's 40 ms minimum. */
  static final int KEY_MS = 80;
  static final int GAP_MS = 80;
  /** Level per tone of the dialed digits. */
  static final double KEY_DBM0 = -10;
  /** Silence before the first digit, as a caller listens for the line. */
  static final int LEAD_IN_MS = 300;

  private final Vertx vertx;
  private final WebSocketClientOptions clientOptions;

  public CallerSimulator(Vertx vertx, WebSocketClientOptions clientOptions) {
    this.vertx = vertx;
    this.clientOptions = clientOptions;
  }

  /** Runs one call; never fails (a refusal is a {@link Outcome#FAILED} result). */
  public Future<Result> run(Options options) {
    Consumer<String> log = options.log() == null ? line -> { } : options.log();
    AcsMediaClient.Target target = new AcsMediaClient.Target(options.url(), options.callConnectionId(),
        "corr-" + options.callConnectionId(), options.token());
    return AcsMediaClient.connect(vertx, clientOptions, target)
        .compose(client -> new Call(client, options, log).start())
        .recover(e -> {
          log.accept("media upgrade refused: " + e.getMessage());
          return Future.succeededFuture(new Result(Outcome.FAILED, List.of(), -1, "upgrade refused: " + e.getMessage()));
        });
  }

  /** One call's state, on the client's event loop. */
  private final class Call {
    private final AcsMediaClient client;
    private final Options options;
    private final Consumer<String> log;
    private final Promise<Result> result = Promise.promise();
    private final int frameBytes;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private final ArrayDeque<String> codes;
    private final OutcomeToneDetector detector;
    private final List<OutcomeTone> heard = new ArrayList<>();
    private final byte[] silence;
    private long startNanos;
    private long framesSent;
    private long hashStartNanos;
    private long decisionMs = -1;
    private boolean receivedThisTick;
    private boolean dialNextOnPromptEnd;
    private long hashFrameIndex = -1;
    private long ticker = -1;
    private long deadline = -1;

    Call(AcsMediaClient client, Options options, Consumer<String> log) {
      this.client = client;
      this.options = options;
      this.log = log;
      this.frameBytes = options.format().bytesPer20Ms();
      this.silence = new byte[frameBytes];
      this.codes = new ArrayDeque<>(options.codes());
      this.detector = new OutcomeToneDetector(options.format().sampleRate(), this::onTone);
    }

    Future<Result> start() {
      log.accept("connected as call " + options.callConnectionId());
      Context context = vertx.getOrCreateContext(); // the client's event loop: all of this call runs there
      client.onMessage(message -> context.runOnContext(v -> onMessage(message)));
      client.closed().onComplete(code -> context.runOnContext(v ->
          finish(Outcome.FAILED, "the gateway closed the stream (" + code.result() + ")")));
      client.sendMetadata(options.format());
      enqueue(new ToneGenerator(options.format().sampleRate()).silence(LEAD_IN_MS).toPcm(), false);
      dialNext();
      startNanos = System.nanoTime();
      ticker = vertx.setPeriodic(20, id -> tick());
      deadline = vertx.setTimer(options.timeout().toMillis(), id -> finish(Outcome.TIMEOUT,
          "no outcome within " + options.timeout().toSeconds() + " s"));
      return result.future();
    }

    /** Queues the next code and '#', or nothing when there is none (flows without a code just listen). */
    private void dialNext() {
      String code = codes.poll();
      if (code == null) {
        return;
      }
      log.accept("dialing " + code + "#");
      ToneGenerator keys = new ToneGenerator(options.format().sampleRate());
      for (char c : code.toCharArray()) {
        keys.dtmf(c, KEY_MS, KEY_DBM0).silence(GAP_MS);
      }
      enqueue(keys.toPcm(), false);
      byte[] hash = new ToneGenerator(options.format().sampleRate()).dtmf('#', KEY_MS, KEY_DBM0).silence(GAP_MS)
          .toPcm();
      enqueue(hash, true);
    }

    /** Queues {@code pcm} as 20 ms frames; {@code markHash} notes its first frame as the start of '#'. */
    private void enqueue(byte[] pcm, boolean markHash) {
      if (markHash) {
        hashFrameIndex = framesSent + frames.size();
      }
      for (int offset = 0; offset < pcm.length; offset += frameBytes) {
        byte[] frame = new byte[frameBytes];
        System.arraycopy(pcm, offset, frame, 0, Math.min(frameBytes, pcm.length - offset));
        frames.add(frame);
      }
    }

    /** Every 20 ms: send the frames due (real time, catching up after a late timer), listen to what came back. */
    private void tick() {
      long due = (System.nanoTime() - startNanos) / 20_000_000L + 1;
      while (framesSent < due && !result.future().isComplete()) {
        byte[] frame = frames.isEmpty() ? silence : frames.poll();
        if (framesSent == hashFrameIndex) {
          hashStartNanos = System.nanoTime();
        }
        client.sendAudio(frame, 0, frameBytes, frame == silence);
        framesSent++;
      }
      if (!receivedThisTick) {
        detector.silence(20); // nothing played back: the caller hears silence
      }
      receivedThisTick = false;
    }

    private void onMessage(String message) {
      JsonObject json;
      try {
        json = new JsonObject(message);
      } catch (RuntimeException e) {
        return;
      }
      String kind = null;
      JsonObject audio = null;
      for (String key : json.fieldNames()) {
        if (key.equalsIgnoreCase("kind")) {
          kind = String.valueOf(json.getValue(key)).toLowerCase(Locale.ROOT);
        } else if (key.equalsIgnoreCase("audioData") && json.getValue(key) instanceof JsonObject o) {
          audio = o;
        }
      }
      if (!"audiodata".equals(kind) || audio == null) {
        return;
      }
      for (String key : audio.fieldNames()) {
        if (key.equalsIgnoreCase("data") && audio.getValue(key) instanceof String b64) {
          detector.feed(Base64.getDecoder().decode(b64));
          receivedThisTick = true;
        }
      }
    }

    private void onTone(OutcomeTone tone, OutcomeToneDetector.Edge edge) {
      if (edge == OutcomeToneDetector.Edge.START) {
        heard.add(tone);
        decisionMs = hashStartNanos == 0 ? -1 : (System.nanoTime() - hashStartNanos) / 1_000_000;
        log.accept("heard " + tone + (decisionMs >= 0 ? " (" + decisionMs + " ms after # started)" : ""));
        switch (tone) {
          case ACCEPTED -> finish(Outcome.AUTHENTICATED, "");
          case REJECTED -> finish(Outcome.REJECTED, "");
          case LOCKED_OUT -> finish(Outcome.LOCKED_OUT, "");
          case TRY_AGAIN -> {
            if (codes.isEmpty() && !options.codes().isEmpty()) {
              finish(Outcome.NO_MORE_CODES, "asked to try again, no code left");
            } else {
              dialNextOnPromptEnd = true;
              hashStartNanos = 0;
            }
          }
        }
      } else if (tone == OutcomeTone.TRY_AGAIN && dialNextOnPromptEnd) {
        dialNextOnPromptEnd = false;
        dialNext();
      }
    }

    private void finish(Outcome outcome, String detail) {
      if (result.future().isComplete()) {
        return;
      }
      vertx.cancelTimer(ticker);
      vertx.cancelTimer(deadline);
      log.accept("outcome: " + outcome + (detail.isEmpty() ? "" : " (" + detail + ")"));
      result.complete(new Result(outcome, List.copyOf(heard), decisionMs, detail));
      client.close(1000, "call ended");
    }
  }
}
