package io.tonegate.gateway;

import io.vertx.core.http.HttpServerRequest;
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
    if (status < 400 && isMalformedRequest(failure)) {
      // The client sent bytes the HTTP decoder refused (e.g. a bad chunk size): its error, not ours, and not
      // worth a stack trace in the log that any client could trigger at will.
      LOG.debug("malformed request on {} {}: {}", rc.request().method(), rc.request().path(), failure.toString());
      status = 400;
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

  /** Whether {@code failure} comes from the HTTP decoder rejecting what the client sent. */
  static boolean isMalformedRequest(Throwable failure) {
    if (failure == null) {
      return false;
    }
    if (failure instanceof io.netty.handler.codec.DecoderException
        || failure instanceof io.netty.handler.codec.TooLongFrameException) {
      return true;
    }
    StackTraceElement[] stack = failure.getStackTrace();
    return stack.length > 0 && stack[0].getClassName().startsWith("io.netty.handler.codec.");
  }

  /**
   * Whether every {@code %} in a raw request path starts a two-hex-digit escape (RFC 3986 §2.1). Vert.x Web cannot
   * route a path that breaks this and logs an error with a stack trace for each; the gateway answers 400 first.
   */
  public static boolean hasValidEscapes(String rawPath) {
    for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
      if (i + 2 >= rawPath.length() || Character.digit(rawPath.charAt(i + 1), 16) < 0
          || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The server's handler for requests the HTTP decoder refused (request line or headers too long, malformed head):
   * the matching 414, 431 or 400 with the JSON error body and {@code Connection: close}, so a pooling client knows
   * not to reuse the connection the server closes next (Vert.x's default answers without saying so).
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    HttpServerResponse response = request.response().putHeader("connection", "close");
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      send(response, 414, "UriTooLong", "the request line is too long");
    } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
      send(response, 431, "HeadersTooLarge", "the request headers are too large");
    } else {
      send(response, 400, "BadRequest", "the request is malformed");
    }
  }

  /** A JSON error on a bare response (before routing). */
  public static void send(HttpServerResponse response, int status, String code, String message) {
    if (!response.ended() && !response.closed() && !response.headWritten()) {
      response.setStatusCode(status).putHeader("content-type", "application/json").end(body(code, message).encode());
    }
  }

  /** The catch-all route: any path no module serves. */
  public static void notFound(RoutingContext rc) {
    send(rc, 404, "NotFound", "no such path: " + rc.request().path());
  }
}
