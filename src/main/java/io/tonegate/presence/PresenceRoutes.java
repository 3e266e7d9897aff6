package io.tonegate.presence;

import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The presence HTTP API: set, read and clear a user's manual presence, and the server-sent events stream for
 * clients that cannot use WebSockets.
 */
final class PresenceRoutes {

  private static final String GRANT = "tonegate.presence.grant";

  private final Vertx vertx;
  private final PresenceAccess access;
  private final PresencePublisher publisher;
  private final PresenceStore store;
  private final Supplier<PresenceHub> hub;
  private final PresenceConfig config;
  private final PresenceMetrics metrics;
  private final LongSupplier clockMs;

  PresenceRoutes(Vertx vertx, PresenceAccess access, PresencePublisher publisher, PresenceStore store,
                 Supplier<PresenceHub> hub, PresenceConfig config, PresenceMetrics metrics, LongSupplier clockMs) {
    this.vertx = vertx;
    this.access = access;
    this.publisher = publisher;
    this.store = store;
    this.hub = hub;
    this.config = config;
    this.metrics = metrics;
    this.clockMs = clockMs;
  }

  void mount(Router router) {
    router.get("/api/presence/stream").handler(this::stream);
    router.put("/api/presence/:user").handler(this::authenticateWriter).handler(this::setPresence);
    router.delete("/api/presence/:user").handler(this::authenticateWriter).handler(this::clearPresence);
    router.get("/api/presence/:user").handler(this::getPresence);
  }

  /**
   * {@code PUT /api/presence/{user}} with {@code {"availability": "Busy", "activity": "InAMeeting",
   * "expirationDuration": "PT1H"}} (Graph's setPresence shape; the duration is optional). Sets the manual layer.
   */
  private void setPresence(RoutingContext rc) {
    String user = rc.pathParam("user");
    if (!UserIds.isValid(user)) {
      refuse(rc, "put", 400, "invalid_user", "BadRequest", "invalid user id");
      return;
    }
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      refuse(rc, "put", 400, "bad_body", "BadRequest", "the body must be a JSON object");
      return;
    }
    Presence presence;
    long expiresAt = 0;
    try {
      presence = new Presence(body.getString("availability"), body.getString("activity"));
      String duration = body.getString("expirationDuration");
      if (duration != null) {
        Duration expiry = Duration.parse(duration);
        if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(config.maxExpiry()) > 0) {
          throw new IllegalArgumentException("expirationDuration must be positive and at most " + config.maxExpiry());
        }
        expiresAt = clockMs.getAsLong() + expiry.toMillis();
      }
    } catch (IllegalArgumentException | ClassCastException | NullPointerException | DateTimeParseException e) {
      refuse(rc, "put", 400, "bad_body", "BadRequest",
          e instanceof NullPointerException ? "availability and activity are required" : e.getMessage());
      return;
    }
    long expiry = expiresAt;
    authorizeWrite(rc, user)
        .compose(grant -> publisher.set(user, "manual", presence, expiry))
        .onSuccess(result -> rc.json(new JsonObject()
            .put("user", user)
            .put("availability", presence.availability())
            .put("activity", presence.activity())
            .put("expiresAt", expiry == 0 ? null : expiry)
            .put("outcome", result.outcome().name().toLowerCase())
            .put("version", result.version())))
        .onFailure(error -> fail(rc, "put", error));
  }

  private void clearPresence(RoutingContext rc) {
    String user = rc.pathParam("user");
    if (!UserIds.isValid(user)) {
      refuse(rc, "delete", 400, "invalid_user", "BadRequest", "invalid user id");
      return;
    }
    authorizeWrite(rc, user)
        .compose(grant -> publisher.clear(user, "manual"))
        .onSuccess(result -> rc.json(new JsonObject().put("user", user)
            .put("outcome", result.outcome().name().toLowerCase()).put("version", result.version())))
        .onFailure(error -> fail(rc, "delete", error));
  }

  private void getPresence(RoutingContext rc) {
    String user = rc.pathParam("user");
    if (!UserIds.isValid(user)) {
      refuse(rc, "get", 400, "invalid_user", "BadRequest", "invalid user id");
      return;
    }
    access.authorizeReader(bearer(rc))
        .compose(grant -> grant.mayRead(user) ? store.read(List.of(user))
            : Future.failedFuture(new PresenceAccessDenied(403, "forbidden", "not allowed to read this user")))
        .onSuccess(states -> rc.json(PresenceJson.rest(states.get(user))))
        .onFailure(error -> fail(rc, "get", error));
  }

  /**
   * {@code GET /api/presence/stream?users=a,b[&since=a:12,b:3][&group=name]}: server-sent events, one
   * {@code snapshot} event per user whose version is newer than {@code since}, then {@code presence} events.
   */
  private void stream(RoutingContext rc) {
    String group = rc.queryParams().get("group");
    if (group != null && !PresenceWebSocketEndpoint.GROUP.matcher(group).matches()) {
      refuse(rc, "sse", 400, "bad_group", "BadRequest", "group must be 1-64 of A-Z a-z 0-9 . _ -");
      return;
    }
    List<String> users = new ArrayList<>();
    for (String user : rc.queryParams().get("users") == null ? new String[0] : rc.queryParams().get("users").split(",")) {
      if (!user.isBlank()) {
        users.add(user.trim());
      }
    }
    Map<String, Long> since = new HashMap<>();
    String sinceParam = rc.queryParams().get("since");
    if (sinceParam != null) {
      for (String pair : sinceParam.split(",")) {
        int colon = pair.lastIndexOf(':');
        try {
          since.put(pair.substring(0, colon), Long.parseLong(pair.substring(colon + 1)));
        } catch (RuntimeException e) {
          refuse(rc, "sse", 400, "bad_since", "BadRequest", "since is user:version,user:version");
          return;
        }
      }
    }
    if (users.isEmpty() || users.size() > config.subscriber().maxUsersPerConnection()) {
      refuse(rc, "sse", 400, "bad_users", "BadRequest",
          "users must name 1 to " + config.subscriber().maxUsersPerConnection() + " users");
      return;
    }
    String token = bearer(rc);
    if (token == null) {
      refuse(rc, "sse", 401, "missing_token", "Unauthorized", "a bearer token with presence.read is required");
      return;
    }
    access.authorizeReader(token).onSuccess(grant -> {
      HttpServerResponse response = rc.response();
      response.setChunked(true)
          .putHeader("content-type", "text/event-stream")
          .putHeader("cache-control", "no-cache")
          .putHeader("x-accel-buffering", "no")
          .setWriteQueueMaxSize(config.subscriber().writeQueueBytes());
      response.write(": presence stream\n\n");
      PresenceSubscriber subscriber = new PresenceSubscriber(new SseSink(response), grant, group,
          hub.get().fanout(), store, config.subscriber(), metrics, vertx);
      long heartbeat = vertx.setPeriodic(config.subscriber().heartbeat().toMillis(), id -> {
        if (!response.closed() && !response.writeQueueFull()) {
          response.write(": keep-alive\n\n");
        }
      });
      response.closeHandler(v -> {
        vertx.cancelTimer(heartbeat);
        subscriber.closed();
      });
      subscriber.subscribe(users, since, null);
    }).onFailure(error -> fail(rc, "sse", error));
  }

  /**
   * Writers: {@code Authorization: Bearer} with {@code presence.write}, or an ACS HMAC-signed service request (the
   * service handler answers 401 itself when the signature does not verify).
   */
  private void authenticateWriter(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      access.authorizeWriter(PresenceAccess.bearerToken(header, null)).onSuccess(grant -> {
        rc.put(GRANT, grant);
        rc.next();
      }).onFailure(error -> fail(rc, rc.request().method().name().toLowerCase(), error));
      return;
    }
    if (header == null) {
      refuse(rc, rc.request().method().name().toLowerCase(), 401, "missing_token", "Unauthorized",
          "a bearer token with presence.write or an HMAC-SHA256 signature is required");
      return;
    }
    rc.put(GRANT, PresenceGrant.service("hmac"));
    access.serviceAuth().handle(rc);
  }

  private Future<PresenceGrant> authorizeWrite(RoutingContext rc, String user) {
    PresenceGrant grant = rc.get(GRANT);
    return grant != null && grant.mayWrite(user) ? Future.succeededFuture(grant)
        : Future.failedFuture(new PresenceAccessDenied(403, "forbidden", "not allowed to set this user's presence"));
  }

  private static String bearer(RoutingContext rc) {
    return PresenceAccess.bearerToken(rc.request().getHeader("Authorization"), rc.queryParams().get("access_token"));
  }

  private void fail(RoutingContext rc, String endpoint, Throwable error) {
    if (error instanceof PresenceAccessDenied denied) {
      String code = switch (denied.status()) {
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        default -> "Unavailable";
      };
      refuse(rc, endpoint, denied.status(), denied.reason(), code, denied.getMessage());
    } else {
      refuse(rc, endpoint, 503, "redis_unavailable", "Unavailable", "presence state is unavailable, retry later");
    }
  }

  private void refuse(RoutingContext rc, String endpoint, int status, String reason, String code, String message) {
    metrics.refused(endpoint, reason);
    HttpErrors.send(rc, status, code, message);
  }

  private static final class SseSink implements SubscriberSink {
    private final HttpServerResponse response;

    SseSink(HttpServerResponse response) {
      this.response = response;
    }

    @Override
    public boolean writeQueueFull() {
      return response.writeQueueFull();
    }

    @Override
    public void write(String type, String json) {
      // SSE (WHATWG HTML §9.2): an event name line, one data line (the JSON has no newlines), a blank line.
      response.write("event: " + type + "\ndata: " + json + "\n\n");
    }

    @Override
    public void drainHandler(Runnable handler) {
      response.drainHandler(v -> handler.run());
    }

    @Override
    public void close(short code, String reason) {
      if (!response.closed()) {
        response.reset();
      }
    }
  }
}
