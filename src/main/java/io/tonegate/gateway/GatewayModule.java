package io.tonegate.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.util.List;

/**
 * One capability of the gateway (identity, sessions, media, ...). A module is created once per process and shared by
 * every verticle instance, so its handlers must keep per-request state on the request and per-connection state on
 * the connection.
 */
public interface GatewayModule {

  /** Adds this module's routes. Called once per verticle instance, on that instance's event loop. */
  default void mount(Router router, Vertx vertx) {
  }

  /** WebSocket paths this module serves; upgrades are authenticated by the endpoint before they are accepted. */
  default List<WebSocketEndpoint> webSocketEndpoints() {
    return List.of();
  }

  /** Background work that runs once per process (pollers, subscriptions), started after the servers listen. */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Stops background work at shutdown, before Redis is closed. */
  default Future<Void> stop() {
    return Future.succeededFuture();
  }
}
