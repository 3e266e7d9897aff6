package io.tonegate.gateway;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open WebSockets of one verticle instance, so shutdown can close each with 1001 (going away). Used only on that
 * instance's event loop, hence no locking. It sets no handler on the sockets (modules own their close handlers);
 * closed sockets are pruned when the set has doubled since the last prune, so the cost stays amortised O(1).
 */
final class WebSocketTracker {

  /** RFC 6455 §7.4.1: the endpoint is going away (server shutdown). */
  static final short GOING_AWAY = 1001;
  private static final int MIN_PRUNE_SIZE = 64;

  private final Set<ServerWebSocket> open = new LinkedHashSet<>();
  private int pruneAt = MIN_PRUNE_SIZE;

  void track(ServerWebSocket socket) {
    open.add(socket);
    if (open.size() >= pruneAt) {
      open.removeIf(ServerWebSocket::isClosed);
      pruneAt = Math.max(MIN_PRUNE_SIZE, open.size() * 2);
    }
  }

  /**
   * Sends a ping (RFC 6455 §5.5.2) to every open socket. A live peer answers with a pong, which keeps its connection
   * under the read idle timeout; a peer that stopped reading does not, and is closed by it.
   */
  void pingAll() {
    for (ServerWebSocket socket : open) {
      if (!socket.isClosed()) {
        socket.writePing(Buffer.buffer()).onFailure(e -> { }); // a socket closing meanwhile: nothing to do
      }
    }
  }

  Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (ServerWebSocket socket : open) {
      if (!socket.isClosed()) {
        closing.add(socket.close(GOING_AWAY, "server shutting down").otherwiseEmpty());
      }
    }
    open.clear();
    return Future.join(closing).mapEmpty();
  }
}
