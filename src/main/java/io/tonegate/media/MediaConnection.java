package io.tonegate.media;

import io.tonegate.dtmf.DtmfDigit;
import io.tonegate.dtmf.DtmfListener;
import io.tonegate.dtmf.DtmfReceiver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One accepted media WebSocket: the per-call state machine, all of it confined to the socket's event loop.
 *
 * <p>Inbound: text frames are assembled into a reused per-connection byte array (bounded by
 * {@code maxMessageBytes}), parsed by {@link MediaMessageParser}, AudioData decoded by {@link Base64Pcm} into a
 * reused PCM array, then fed to the DTMF receiver and, once the call is authorized, to downstream consumers. In
 * steady state nothing is allocated per frame. Outbound: a bounded queue of encoded 20 ms messages drained while the
 * socket's write queue has room.
 *
 * <p>Close reasons (the {@code reason} tag of {@code tonegate.media.streams.closed}): the
 * {@link MediaProtocolException.Kind} tags, {@code idle_timeout}, {@code over_capacity}, {@code closed_by_app},
 * {@code peer_closed}, {@code going_away}, {@code connection_lost}.
 */
final class MediaConnection implements MediaSession, DtmfListener {

  private static final Logger LOG = LoggerFactory.getLogger(MediaConnection.class);
  private static final int INITIAL_BUFFER = 2048;
  /** Outbound frames written but not yet handed to the kernel: 1 s of audio (about 45 KiB of JSON at 16 kHz). */
  static final int MAX_IN_FLIGHT = 50;

  private final MediaModule module;
  private final MediaMetrics metrics;
  private final MediaConfig config;
  private final ServerWebSocket socket;
  private final String callConnectionId;
  private final String correlationId;
  private final String authenticatedBy;
  private final Context context;
  private final MediaMessageParser parser = new MediaMessageParser();
  private final DigitMerger merger;
  private final List<MediaSessionObserver> observers = new ArrayList<>(2);
  private final List<AudioConsumer> consumers = new ArrayList<>(2);
  private final ArrayDeque<String> outbound = new ArrayDeque<>();

  private byte[] message = new byte[INITIAL_BUFFER];
  private int messageLength;
  private boolean inTextMessage;
  private boolean inBinaryMessage;
  private AudioFormat format;
  private DtmfReceiver dtmf;
  private boolean authorized;
  private long lastMessageNanos = System.nanoTime();
  private long idleTimer = -1;
  private boolean closing;
  private boolean closed;
  private int ourCloseCode;
  private String ourCloseReason;
  private boolean draining;
  private int inFlight;

  MediaConnection(MediaModule module, ServerWebSocket socket, String callConnectionId, String correlationId,
                  String authenticatedBy) {
    this.module = module;
    this.metrics = module.metrics;
    this.config = module.config;
    this.socket = socket;
    this.callConnectionId = callConnectionId;
    this.correlationId = correlationId;
    this.authenticatedBy = authenticatedBy;
    this.context = Vertx.currentContext();
    this.merger = new DigitMerger(config.digitMergeWindow().toMillis());
  }

  /** Wires the socket; called on its event loop right after the upgrade was accepted. */
  void start() {
    socket.frameHandler(this::onFrame);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> {
      MDC.put("callConnectionId", callConnectionId);
      MDC.put("correlationId", correlationId);
      try {
        LOG.debug("media socket error: {}", e.toString());
      } finally {
        MDC.remove("callConnectionId");
        MDC.remove("correlationId");
      }
    });
    int active = metrics.active.incrementAndGet();
    metrics.opened.increment();
    if (active > config.maxStreams()) {
      // two upgrades passed the capacity check at once: the later one is closed with 1013 Try Again Later
      close(1013, "over_capacity");
      return;
    }
    module.register(this);
    for (MediaSessionObserverFactory factory : module.observerFactories) {
      try {
        MediaSessionObserver observer = factory.create(this);
        if (observer != null) {
          observers.add(observer);
        }
      } catch (RuntimeException e) {
        observerFailed(e);
      }
    }
    long period = Math.max(250, config.idleTimeout().toMillis() / 4);
    idleTimer = context.owner().setPeriodic(period, id -> checkIdle());
    log("media stream opened (authenticated by {})", authenticatedBy);
  }

  // ---- inbound --------------------------------------------------------------------------------------------------

  private void onFrame(WebSocketFrame frame) {
    if (closing) {
      return;
    }
    if (frame.isBinary() || (frame.isContinuation() && inBinaryMessage)) {
      inBinaryMessage = !frame.isFinal();
      fail(new MediaProtocolException(MediaProtocolException.Kind.BINARY, "binary frame"));
      return;
    }
    if (frame.isText()) {
      inTextMessage = true;
      messageLength = 0;
    } else if (!frame.isContinuation() || !inTextMessage) {
      return; // ping, pong, close: handled by Vert.x
    }
    Buffer data = frame.binaryData();
    int n = data.length();
    if (messageLength + n > config.maxMessageBytes()) {
      fail(new MediaProtocolException(MediaProtocolException.Kind.OVERSIZE, "message larger than "
          + config.maxMessageBytes() + " bytes"));
      return;
    }
    if (messageLength + n > message.length) {
      message = java.util.Arrays.copyOf(message, Math.min(config.maxMessageBytes(),
          Math.max(message.length * 2, messageLength + n)));
    }
    data.getBytes(0, n, message, messageLength);
    messageLength += n;
    if (frame.isFinal()) {
      inTextMessage = false;
      onMessage(message, messageLength);
    }
  }

  private void onMessage(byte[] bytes, int length) {
    long start = System.nanoTime();
    lastMessageNanos = start;
    metrics.bytesReceived.increment(length);
    try {
      MediaMessage parsed = parser.parse(bytes, length);
      switch (parsed.kind()) {
        case AUDIO_DATA -> {
          onAudioData(bytes, parsed);
          metrics.frameProcessing.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        case AUDIO_METADATA -> onAudioMetadata(parsed);
        case DTMF_DATA -> onDtmfData(bytes, parsed);
        case UNKNOWN -> metrics.unknownMessages.increment();
      }
    } catch (MediaProtocolException e) {
      fail(e);
    }
  }

  private void onAudioData(byte[] bytes, MediaMessage parsed) {
    if (format == null) {
      throw new MediaProtocolException(MediaProtocolException.Kind.PROTOCOL, "AudioData before AudioMetadata");
    }
    if (!parsed.hasData()) {
      throw new MediaProtocolException(MediaProtocolException.Kind.JSON, "AudioData without data");
    }
    byte[] pcm = parser.pcm(); // decoded by the parser in the same pass, into its reused buffer
    int n = parsed.pcmLength();
    if ((n & 1) != 0) {
      throw new MediaProtocolException(MediaProtocolException.Kind.BASE64, "PCM of an odd number of bytes");
    }
    if (config.strictFrameLength() && n != format.frameBytes()) {
      throw new MediaProtocolException(MediaProtocolException.Kind.FRAME_LENGTH,
          "AudioData of " + n + " bytes, AudioMetadata says " + format.frameBytes());
    }
    metrics.framesReceived.increment();
    if (dtmf != null) {
      dtmf.feed(pcm, 0, n);
    }
    if (authorized) {
      for (int i = 0; i < consumers.size(); i++) {
        try {
          consumers.get(i).onAudio(pcm, n, parsed.silent());
        } catch (RuntimeException e) {
          observerFailed(e);
        }
      }
    }
  }

  private void onAudioMetadata(MediaMessage parsed) {
    AudioFormat next = validFormat(parsed);
    if (format != null) {
      if (!format.equals(next)) {
        throw new MediaProtocolException(MediaProtocolException.Kind.PROTOCOL, "AudioMetadata changed the format");
      }
      return; // a repeated, identical AudioMetadata is harmless
    }
    format = next;
    if (config.inBandDtmf()) {
      dtmf = new DtmfReceiver(format.sampleRate(), this);
    }
    for (AudioConsumer.Factory factory : module.audioConsumerFactories) {
      try {
        AudioConsumer consumer = factory.create(this, format);
        if (consumer != null) {
          consumers.add(consumer);
        }
      } catch (RuntimeException e) {
        observerFailed(e);
      }
    }
    log("media stream started: {} Hz, {} bytes per frame", format.sampleRate(), format.frameBytes());
    for (MediaSessionObserver observer : observers) {
      notify(observer, o -> o.onStart());
    }
  }

  private static AudioFormat validFormat(MediaMessage m) {
    int rate = m.sampleRate();
    if (m.encoding() == null || !m.encoding().equalsIgnoreCase("PCM")) {
      throw new MediaProtocolException(MediaProtocolException.Kind.METADATA, "encoding is not PCM");
    }
    if (rate != 8000 && rate != 16_000 && rate != 24_000) {
      throw new MediaProtocolException(MediaProtocolException.Kind.METADATA, "unsupported sample rate");
    }
    if (m.channels() != 1) {
      throw new MediaProtocolException(MediaProtocolException.Kind.METADATA, "only mono is supported");
    }
    if (m.length() <= 0 || (m.length() & 1) != 0 || m.length() > rate * 2) {
      throw new MediaProtocolException(MediaProtocolException.Kind.METADATA, "bad frame length");
    }
    return new AudioFormat("PCM", rate, 1, m.length());
  }

  private void onDtmfData(byte[] bytes, MediaMessage parsed) {
    if (parsed.digitsStart() < 0) {
      metrics.parseError(MediaProtocolException.Kind.DTMF);
      return;
    }
    for (int i = parsed.digitsStart(); i < parsed.digitsEnd(); i++) {
      char c = Character.toUpperCase((char) (bytes[i] & 0xFF));
      if (DigitEvent.isDtmfKey(c)) {
        reportDigit(c, DigitSource.DTMF_DATA, -1);
      } else {
        metrics.parseError(MediaProtocolException.Kind.DTMF); // counted, not fatal (alphabet unverified)
      }
    }
  }

  // ---- digits ---------------------------------------------------------------------------------------------------

  @Override
  public void onDigitStarted(char key, long startSample) {
    reportDigit(key, DigitSource.IN_BAND, startSample * 1000 / format.sampleRate());
  }

  @Override
  public void onDigit(DtmfDigit digit) {
    // reported at its start (onDigitStarted): the earliest moment, for barge-in and merging
  }

  private void reportDigit(char digit, DigitSource source, long streamMs) {
    boolean isNew = merger.offer(digit, source, System.nanoTime() / 1_000_000);
    metrics.digit(source, isNew);
    if (!isNew) {
      return;
    }
    DigitEvent event = new DigitEvent(digit, source, streamMs, -1, Instant.now());
    for (MediaSessionObserver observer : observers) {
      notify(observer, o -> o.onDigit(event));
    }
  }

  // ---- outbound -------------------------------------------------------------------------------------------------

  @Override
  public void play(byte[] audio) {
    onContext(() -> {
      if (format == null || closing) {
        return;
      }
      int chunk = format.bytesPer20Ms();
      int usable = audio.length & ~1;
      for (int off = 0; off < usable; off += chunk) {
        if (outbound.size() >= config.maxQueuedFrames()) {
          outbound.pollFirst();
          metrics.outboundQueued.decrementAndGet();
          metrics.outboundDropped.increment();
        }
        outbound.addLast(OutboundMessages.audioData(audio, off, Math.min(chunk, usable - off)));
        metrics.outboundQueued.incrementAndGet();
        drain(); // write through while the socket has room: only a backed-up peer makes the queue grow
      }
    });
  }

  @Override
  public void stopAudio() {
    onContext(() -> {
      clearOutbound();
      if (writable()) {
        socket.writeTextMessage(OutboundMessages.STOP_AUDIO);
      }
    });
  }

  /**
   * Writes queued frames while fewer than {@link #MAX_IN_FLIGHT} writes are pending. Counting our own pending writes
   * (rather than only asking {@code writeQueueFull()}, whose writability signal arrives a task later) bounds the
   * memory a burst of {@code play} calls can pin in the socket, so a peer that stops reading fills our queue,
   * where the oldest frames are dropped.
   */
  private void drain() {
    while (!outbound.isEmpty() && writable() && inFlight < MAX_IN_FLIGHT) {
      if (socket.writeQueueFull()) {
        if (!draining) {
          draining = true;
          socket.drainHandler(v -> {
            draining = false;
            drain();
          });
        }
        return;
      }
      inFlight++;
      metrics.outboundQueued.decrementAndGet();
      socket.writeTextMessage(outbound.pollFirst()).onComplete(written -> {
        inFlight--;
        if (written.succeeded()) {
          metrics.outboundFrames.increment();
          drain();
        }
      });
    }
  }

  /**
   * False once either side has begun to close. The socket can be closed before its close handler has run (a peer's
   * close or a lost connection, with a write completing in between): Vert.x then throws from writeQueueFull().
   */
  private boolean writable() {
    return !closing && !socket.isClosed();
  }

  private void clearOutbound() {
    metrics.outboundQueued.addAndGet(-outbound.size());
    outbound.clear();
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------------

  private void checkIdle() {
    if (!closing && System.nanoTime() - lastMessageNanos > config.idleTimeout().toNanos()) {
      close(1001, "idle_timeout");
    }
  }

  private void fail(MediaProtocolException e) {
    metrics.parseError(e.kind());
    if (e.kind().closeCode() == 0) {
      return;
    }
    log("closing media stream: {} ({})", e.kind().tag(), e.getMessage());
    close(e.kind().closeCode(), e.kind().tag());
  }

  @Override
  public void close(int code, String reason) {
    onContext(() -> {
      if (closing) {
        return;
      }
      closing = true;
      ourCloseCode = code;
      ourCloseReason = reason;
      clearOutbound();
      socket.close((short) code, reason).onFailure(e -> { }); // the close handler does the bookkeeping
    });
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    if (idleTimer >= 0) {
      context.owner().cancelTimer(idleTimer);
    }
    module.unregister(this);
    metrics.active.decrementAndGet();
    clearOutbound(); // a peer that left with audio still queued for it
    int code;
    String reason;
    if (ourCloseCode != 0) {
      code = ourCloseCode;
      reason = ourCloseReason;
    } else {
      Short peer = socket.closeStatusCode();
      code = peer == null ? 1006 : peer;
      reason = switch (code) {
        case 1001 -> "going_away";
        case 1006 -> "connection_lost";
        default -> "peer_closed";
      };
    }
    metrics.closed(reason);
    if (dtmf != null) {
      dtmf.finish();
    }
    for (AudioConsumer consumer : consumers) {
      try {
        consumer.onEnd();
      } catch (RuntimeException e) {
        observerFailed(e);
      }
    }
    log("media stream closed: {} {}", code, reason);
    int finalCode = code;
    for (MediaSessionObserver observer : observers) {
      notify(observer, o -> o.onClose(finalCode, reason));
    }
  }

  // ---- MediaSession ---------------------------------------------------------------------------------------------

  @Override
  public String callConnectionId() {
    return callConnectionId;
  }

  @Override
  public String correlationId() {
    return correlationId;
  }

  @Override
  public Optional<AudioFormat> format() {
    return Optional.ofNullable(format);
  }

  @Override
  public String authenticatedBy() {
    return authenticatedBy;
  }

  @Override
  public void authorize() {
    onContext(() -> {
      if (!authorized) {
        authorized = true;
        log("media stream authorized: audio now goes downstream");
      }
    });
  }

  @Override
  public boolean isAuthorized() {
    return authorized;
  }

  @Override
  public void offerDigit(char digit, DigitSource source) {
    char key = Character.toUpperCase(digit);
    if (!DigitEvent.isDtmfKey(key)) {
      throw new IllegalArgumentException("not a DTMF key: " + digit);
    }
    onContext(() -> {
      if (!closing) {
        reportDigit(key, source, -1);
      }
    });
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void notify(MediaSessionObserver observer, java.util.function.Consumer<MediaSessionObserver> call) {
    MDC.put("callConnectionId", callConnectionId);
    MDC.put("correlationId", correlationId);
    try {
      call.accept(observer);
    } catch (RuntimeException e) {
      observerFailed(e);
    } finally {
      MDC.remove("callConnectionId");
      MDC.remove("correlationId");
    }
  }

  private void observerFailed(RuntimeException e) {
    metrics.observerErrors.increment();
    MDC.put("callConnectionId", callConnectionId);
    MDC.put("correlationId", correlationId);
    try {
      LOG.warn("media observer or consumer failed", e);
    } finally {
      MDC.remove("callConnectionId");
      MDC.remove("correlationId");
    }
  }

  /** Logs with the call's ids in the MDC (every media log line carries them). */
  private void log(String format, Object... args) {
    MDC.put("callConnectionId", callConnectionId);
    MDC.put("correlationId", correlationId);
    try {
      LOG.info(format, args);
    } finally {
      MDC.remove("callConnectionId");
      MDC.remove("correlationId");
    }
  }
}
