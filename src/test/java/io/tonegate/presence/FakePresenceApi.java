package io.tonegate.presence;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for Microsoft Graph presence and its OAuth token endpoint, for poller tests: plain HTTP on
 * loopback. {@code POST /token} (client_credentials or refresh_token), {@code GET /v1.0/users/{id}/presence} with a
 * bearer token it issued; presence per user is set by the test, and 429s can be scripted.
 */
final class FakePresenceApi implements AutoCloseable {

  static final String CLIENT_ID = "poller-app";
  static final String CLIENT_SECRET = "fake-secret";

  /** One presence request as received: which user, when (ms), and the status answered. */
  record Hit(String remoteId, long atMs, int status) {
  }

  final Map<String, JsonObject> presence = new ConcurrentHashMap<>();
  final List<Hit> hits = new CopyOnWriteArrayList<>();
  final List<String> refreshTokensUsed = new CopyOnWriteArrayList<>();
  final AtomicInteger throttleNext = new AtomicInteger();
  volatile int retryAfterSeconds = 1;
  private final Map<String, Boolean> issued = new ConcurrentHashMap<>();
  private final AtomicInteger tokenCounter = new AtomicInteger();
  private final HttpServer server;

  private FakePresenceApi(HttpServer server) {
    this.server = server;
  }

  static FakePresenceApi start(Vertx vertx) throws Exception {
    FakePresenceApi[] self = new FakePresenceApi[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> self[0].handle(request));
    self[0] = new FakePresenceApi(server);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return self[0];
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1.0";
  }

  String tokenUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/token";
  }

  void set(String remoteId, String availability, String activity) {
    presence.put(remoteId, new JsonObject().put("id", remoteId).put("availability", availability).put("activity", activity));
  }

  List<Hit> hitsFor(String remoteId) {
    return hits.stream().filter(h -> h.remoteId().equals(remoteId)).toList();
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals("/token")) {
      request.setExpectMultipart(true);
      request.endHandler(v -> token(request));
      return;
    }
    String path = request.path();
    if (!path.startsWith("/v1.0/users/") || !path.endsWith("/presence")) {
      request.response().setStatusCode(404).end();
      return;
    }
    String remoteId = path.substring("/v1.0/users/".length(), path.length() - "/presence".length());
    String auth = request.getHeader("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !issued.containsKey(auth.substring(7))) {
      hits.add(new Hit(remoteId, System.currentTimeMillis(), 401));
      request.response().setStatusCode(401).end();
      return;
    }
    if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      hits.add(new Hit(remoteId, System.currentTimeMillis(), 429));
      request.response().setStatusCode(429).putHeader("Retry-After", Integer.toString(retryAfterSeconds)).end();
      return;
    }
    JsonObject state = presence.get(remoteId);
    if (state == null) {
      hits.add(new Hit(remoteId, System.currentTimeMillis(), 404));
      request.response().setStatusCode(404).end();
      return;
    }
    hits.add(new Hit(remoteId, System.currentTimeMillis(), 200));
    request.response().putHeader("content-type", "application/json").end(state.encode());
  }

  private void token(HttpServerRequest request) {
    String grant = request.getFormAttribute("grant_type");
    boolean client = CLIENT_ID.equals(request.getFormAttribute("client_id"))
        && CLIENT_SECRET.equals(request.getFormAttribute("client_secret"));
    boolean ok = client && ("client_credentials".equals(grant)
        || ("refresh_token".equals(grant) && request.getFormAttribute("refresh_token") != null));
    if (!ok) {
      request.response().setStatusCode(400).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", "invalid_grant").encode());
      return;
    }
    String token = "at-" + tokenCounter.incrementAndGet();
    issued.put(token, true);
    JsonObject body = new JsonObject().put("access_token", token).put("token_type", "Bearer").put("expires_in", 3600);
    if ("refresh_token".equals(grant)) {
      refreshTokensUsed.add(request.getFormAttribute("refresh_token"));
      body.put("refresh_token", "rt-rotated-" + tokenCounter.get());
    }
    request.response().putHeader("content-type", "application/json").end(body.encode());
  }

  @Override
  public void close() throws Exception {
    server.close().await(5, TimeUnit.SECONDS);
  }
}
