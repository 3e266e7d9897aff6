package io.tonegate.gateway;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON error responses in the ACS shape ({@code {"error": {"code": ..., "message": ...}}}), used by every route,
 * so clients parse one error format. Stack traces stay in the log.
 */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  public static JsonObject body(String code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
  }

  /** Ends the request with {@code status} and a JSON error body. */
  public static void send(RoutingContext rc, int status, String code, String message) {
    HttpServerResponse response = rc.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body(code, message).encode());
  }

  /** Router failure handler: known statuses keep their meaning, anything unexpected is a logged 500. */
  public static void handleFailure(RoutingContext rc) {
    Throwable failure = rc.failure();
    int status = rc.statusCode();
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
    }
    switch (status) {
      case 400 -> send(rc, 400, "BadRequest", "the request is malformed");
      case 401 -> send(rc, 401, "Unauthorized", "authentication is required");
      case 403 -> send(rc, 403, "Forbidden", "not allowed");
      case 404 -> send(rc, 404, "NotFound", "no such resource");
      case 405 -> send(rc, 405, "MethodNotAllowed", "method not allowed on this path");
      case 413 -> send(rc, 413, "PayloadTooLarge", "the request body is too large");
      case 415 -> send(rc, 415, "UnsupportedMediaType", "unsupported content type");
      default -> {
        if (status >= 400 && status < 500) {
          send(rc, status, "ClientError", "the request was refused");
        } else {
          LOG.error("unhandled failure on {} {}", rc.request().method(), rc.request().path(), failure);
          send(rc, 500, "InternalError", "internal error");
        }
      }
    }
  }

  /** The catch-all route: any path no module serves. */
  public static void notFound(RoutingContext rc) {
    send(rc, 404, "NotFound", "no such path: " + rc.request().path());
  }
}
