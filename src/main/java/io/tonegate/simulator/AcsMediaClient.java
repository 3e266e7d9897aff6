package io.tonegate.simulator;

import io.tonegate.media.AudioFormat;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A WebSocket client that talks to {@code /ws/media} the way ACS media streaming does: the upgrade carries
 * {@code x-ms-call-connection-id}, {@code x-ms-call-correlation-id} and {@code Authorization: Bearer <JWT>}, and
 * the messages are the ACS ones ({@link AcsMessages}). Used by the simulator, tests and load tests.
 *
 * <p>It owns its {@link WebSocketClient} and keeps it referenced for its whole life (a Vert.x 5 client that is
 * garbage-collected closes its connections).
 */
public final class AcsMediaClient {

  /** Where and as whom to connect. {@code token} null sends no Authorization header. */
  public record Target(URI url, String callConnectionId, String correlationId, String token) {
  }

  private final WebSocketClient client;
  private final WebSocket socket;
  private final String callConnectionId;
  private final String participantRawId;
  private final List<String> received = new ArrayList<>();
  private final Promise<Integer> closed = Promise.promise();
  private volatile Consumer<String> listener = m -> { };

  private AcsMediaClient(WebSocketClient client, WebSocket socket, String callConnectionId) {
    this.client = client;
    this.socket = socket;
    this.callConnectionId = callConnectionId;
    this.participantRawId = "8:acs:simulated_" + callConnectionId;
    socket.textMessageHandler(this::onText);
    socket.closeHandler(v -> {
      Short code = socket.closeStatusCode();
      closed.tryComplete(code == null ? 1006 : (int) code);
      client.close();
    });
  }

  /**
   * Opens the stream. Fails when the upgrade is refused (the failure message names the HTTP status).
   *
   * @param options TLS and trust settings ({@code ssl} follows the URL's scheme)
   */
  public static Future<AcsMediaClient> connect(Vertx vertx, WebSocketClientOptions options, Target target) {
    URI url = target.url();
    boolean ssl = "wss".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions(options).setSsl(ssl));
    WebSocketConnectOptions connect = new WebSocketConnectOptions()
        .setHost(url.getHost())
        .setPort(url.getPort() > 0 ? url.getPort() : (ssl ? 443 : 80))
        .setSsl(ssl)
        .setURI(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/ws/media" : url.getRawPath())
        .addHeader("x-ms-call-connection-id", target.callConnectionId())
        .addHeader("x-ms-call-correlation-id", target.correlationId());
    if (target.token() != null) {
      connect.addHeader("Authorization", "Bearer " + target.token());
    }
    return client.connect(connect)
        .map(socket -> new AcsMediaClient(client, socket, target.callConnectionId()))
        .onFailure(e -> client.close());
  }

  public String callConnectionId() {
    return callConnectionId;
  }

  /** The raw socket (tests send malformed or binary frames through it). */
  public WebSocket socket() {
    return socket;
  }

  /** Called with every text message the gateway sends (on the client's event loop). */
  public AcsMediaClient onMessage(Consumer<String> handler) {
    this.listener = handler;
    return this;
  }

  /** The messages received so far (a copy). */
  public synchronized List<String> received() {
    return List.copyOf(received);
  }

  public Future<Void> sendText(String json) {
    return socket.writeTextMessage(json);
  }

  public Future<Void> sendMetadata(AudioFormat format) {
    return sendText(AcsMessages.audioMetadata("sim-" + callConnectionId, format));
  }

  public Future<Void> sendAudio(byte[] pcm, int offset, int length, boolean silent) {
    return sendText(AcsMessages.audioData(pcm, offset, length, Instant.now(), participantRawId, silent));
  }

  public Future<Void> sendDtmf(char digit) {
    return sendText(AcsMessages.dtmfData(digit, Instant.now(), participantRawId));
  }

  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  public void drainHandler(Runnable handler) {
    socket.drainHandler(v -> handler.run());
  }

  /** Completes with the close code the gateway sent (1006 when the connection dropped). */
  public Future<Integer> closed() {
    return closed.future();
  }

  public Future<Void> close(int code, String reason) {
    return socket.close((short) code, reason);
  }

  private void onText(String message) {
    synchronized (this) {
      if (received.size() < 100_000) {
        received.add(message);
      }
    }
    listener.accept(message);
  }
}
