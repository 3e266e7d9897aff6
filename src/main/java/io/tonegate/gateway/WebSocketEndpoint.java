package io.tonegate.gateway;

import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;

import java.util.function.Consumer;

/**
 * A WebSocket path served by a module. The gateway calls {@link #admit} in the upgrade's handshake handler, before
 * anything is accepted: authentication and capacity checks happen there, so a refused client never gets an open
 * socket.
 */
public interface WebSocketEndpoint {

  /** The exact request path, e.g. {@code /ws/media}. */
  String path();

  /**
   * Decides on an upgrade. Succeeds with the handler to attach to the accepted socket; fails with a
   * {@link WebSocketRejection} to refuse the upgrade with its HTTP status (any other failure refuses with 500).
   * Must not block.
   */
  Future<Consumer<ServerWebSocket>> admit(ServerWebSocketHandshake handshake);
}
