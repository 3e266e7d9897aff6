package io.tonegate.gateway;

import io.tonegate.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One event-loop instance of the gateway's HTTPS/WSS server. Every instance serves the same port with the same
 * modules; Vert.x spreads connections across them.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private final ServerConfig server;
  private final int port;
  private final Path certPath;
  private final Path keyPath;
  private final List<GatewayModule> modules;
  private final HttpServerOptions baseOptions;
  private final WebSocketTracker webSockets = new WebSocketTracker();
  private final Map<String, WebSocketEndpoint> endpoints = new HashMap<>();
  private HttpServer httpServer;
  private long pingTimer = -1;

  GatewayVerticle(ServerConfig server, int port, Path certPath, Path keyPath, List<GatewayModule> modules,
                  HttpServerOptions baseOptions) {
    this.server = server;
    this.port = port;
    this.certPath = certPath;
    this.keyPath = keyPath;
    this.modules = modules;
    this.baseOptions = baseOptions;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(server.maxBodySize()));
    for (GatewayModule module : modules) {
      module.mount(router, vertx);
      for (WebSocketEndpoint endpoint : module.webSocketEndpoints()) {
        endpoints.put(endpoint.path(), endpoint);
      }
    }
    router.route().last().handler(HttpErrors::notFound);
    router.route().failureHandler(HttpErrors::handleFailure);

    HttpServerOptions options = new HttpServerOptions(baseOptions).setHost(server.host()).setPort(port);
    long idleMs = server.idleTimeout().toMillis();
    if (idleMs > 0) {
      // Closes connections that send nothing: idle keep-alives, half-sent requests, WebSocket peers that stopped
      // answering. Live WebSocket peers answer the pings below, which counts as receiving.
      options.setReadIdleTimeout((int) idleMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
      pingTimer = vertx.setPeriodic(Math.max(300, idleMs / 3), id -> webSockets.pingAll());
    }
    if (server.tlsEnabled()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(certPath.toString()).setKeyPath(keyPath.toString()));
    }
    httpServer = vertx.createHttpServer(options)
        .requestHandler(request -> {
          if (!HttpErrors.hasValidEscapes(request.path())) {
            HttpErrors.send(request.response(), 400, "BadRequest", "the request path has an invalid % escape");
            return;
          }
          router.handle(request);
        })
        .invalidRequestHandler(HttpErrors::invalidRequest)
        .webSocketHandshakeHandler(this::admitWebSocket)
        .webSocketHandler(socket -> { }); // accepted sockets are handed over in admitWebSocket
    return httpServer.listen();
  }

  /** The port this instance listens on (the real one when 0 was configured). */
  int actualPort() {
    return httpServer.actualPort();
  }

  /** Graceful stop: close WebSockets with 1001, then let in-flight requests finish within the drain timeout. */
  @Override
  public Future<?> stop() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    if (httpServer == null) {
      return Future.succeededFuture();
    }
    return webSockets.closeAll()
        .eventually(() -> httpServer.shutdown(server.drainTimeout().toMillis(), TimeUnit.MILLISECONDS));
  }

  private void admitWebSocket(ServerWebSocketHandshake handshake) {
    WebSocketEndpoint endpoint = endpoints.get(handshake.path());
    if (endpoint == null) {
      handshake.reject(404);
      return;
    }
    Future<Consumer<ServerWebSocket>> admission;
    try {
      admission = endpoint.admit(handshake);
    } catch (RuntimeException e) {
      admission = Future.failedFuture(e);
    }
    admission.onComplete(result -> {
      if (result.failed()) {
        Throwable cause = result.cause();
        if (cause instanceof WebSocketRejection rejection) {
          handshake.reject(rejection.status());
        } else {
          LOG.error("WebSocket admission failed on {}", handshake.path(), cause);
          handshake.reject(500);
        }
        return;
      }
      Consumer<ServerWebSocket> sessionHandler = result.result();
      handshake.accept().onSuccess(socket -> {
        webSockets.track(socket);
        sessionHandler.accept(socket);
      });
    });
  }
}
