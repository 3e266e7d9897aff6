package io.tonegate.presence;

import io.tonegate.gateway.HttpErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Registration of users for the presence poller (service requests, ACS HMAC signed):
 * {@code PUT /api/presence/poll/users/{user}} with {@code {"remoteId": "<id at the presence API>",
 * "refreshToken": "..."}} (both optional), {@code DELETE} the same path, {@code GET /api/presence/poll/users}.
 */
final class PollRoutes {

  /** Longest refresh token accepted (Entra's are about 1-2 KB). */
  static final int MAX_TOKEN_LENGTH = 8192;

  private final PresenceAccess access;
  private final PollRegistry registry;
  private final PresenceMetrics metrics;

  PollRoutes(PresenceAccess access, PollRegistry registry, PresenceMetrics metrics) {
    this.access = access;
    this.registry = registry;
    this.metrics = metrics;
  }

  void mount(Router router) {
    router.get("/api/presence/poll/users").handler(access.serviceAuth()).handler(this::list);
    router.put("/api/presence/poll/users/:user").handler(access.serviceAuth()).handler(this::register);
    router.delete("/api/presence/poll/users/:user").handler(access.serviceAuth()).handler(this::unregister);
  }

  private void register(RoutingContext rc) {
    String user = rc.pathParam("user");
    JsonObject body;
    try {
      body = rc.body().length() == 0 ? new JsonObject() : rc.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    Object remoteId = body == null ? null : body.getValue("remoteId", user);
    Object refreshToken = body == null ? null : body.getValue("refreshToken");
    if (!UserIds.isValid(user) || !(remoteId instanceof String remote) || remote.isEmpty() || remote.length() > 256
        || (refreshToken != null && (!(refreshToken instanceof String t) || t.isEmpty() || t.length() > MAX_TOKEN_LENGTH))) {
      metrics.refused("poll", "bad_body");
      HttpErrors.send(rc, 400, "BadRequest",
          "user must be a valid id; remoteId a string of 1-256 characters; refreshToken a string of at most "
              + MAX_TOKEN_LENGTH);
      return;
    }
    if (refreshToken != null && !registry.canStoreTokens()) {
      metrics.refused("poll", "no_encryption_key");
      HttpErrors.send(rc, 503, "Unavailable", "tokens cannot be stored: presence.poller.encryptionKey is not set");
      return;
    }
    registry.register(user, remote, Optional.ofNullable((String) refreshToken))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(error -> {
          if (error instanceof IllegalStateException) {
            metrics.refused("poll", "full");
            HttpErrors.send(rc, 409, "Conflict", error.getMessage());
          } else {
            metrics.refused("poll", "redis_unavailable");
            HttpErrors.send(rc, 503, "Unavailable", "presence state is unavailable, retry later");
          }
        });
  }

  private void unregister(RoutingContext rc) {
    registry.unregister(rc.pathParam("user"))
        .onSuccess(removed -> {
          if (removed) {
            rc.response().setStatusCode(204).end();
          } else {
            HttpErrors.send(rc, 404, "NotFound", "no such registration");
          }
        })
        .onFailure(error -> HttpErrors.send(rc, 503, "Unavailable", "presence state is unavailable, retry later"));
  }

  private void list(RoutingContext rc) {
    registry.all()
        .onSuccess(all -> {
          JsonArray users = new JsonArray();
          all.forEach(r -> users.add(new JsonObject().put("user", r.user()).put("remoteId", r.remoteId())
              .put("hasRefreshToken", r.refreshToken().isPresent())));
          rc.json(new JsonObject().put("users", users));
        })
        .onFailure(error -> HttpErrors.send(rc, 503, "Unavailable", "presence state is unavailable, retry later"));
  }
}
