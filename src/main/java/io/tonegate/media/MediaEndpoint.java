package io.tonegate.media;

import io.tonegate.auth.AuthFailure;
import io.tonegate.auth.JwtChecks;
import io.tonegate.auth.JwtValidationException;
import io.tonegate.gateway.WebSocketEndpoint;
import io.tonegate.gateway.WebSocketRejection;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The upgrade of {@code /ws/media}: headers, capacity and the token are checked in the handshake, so a refused
 * client never gets an open socket. Refusals are HTTP statuses: 400 (no or bad {@code x-ms-call-connection-id}),
 * 503 (at {@code media.limits.maxStreams}; the HTTP form of 1013 Try Again Later), 401 (token).
 */
final class MediaEndpoint implements WebSocketEndpoint {

  static final String PATH = "/ws/media";
  static final String CALL_CONNECTION_HEADER = "x-ms-call-connection-id";
  static final String CORRELATION_HEADER = "x-ms-call-correlation-id";
  /** Call connection and correlation ids are GUID-like; anything else is refused before it reaches a log. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

  private static final Logger LOG = LoggerFactory.getLogger(MediaEndpoint.class);

  private final MediaModule module;

  MediaEndpoint(MediaModule module) {
    this.module = module;
  }

  @Override
  public String path() {
    return PATH;
  }

  @Override
  public Future<Consumer<ServerWebSocket>> admit(ServerWebSocketHandshake handshake) {
    MultiMap headers = handshake.headers();
    String callConnectionId = headers.get(CALL_CONNECTION_HEADER);
    if (callConnectionId == null || !ID.matcher(callConnectionId).matches()) {
      return refuse(400, "bad_call_connection_id", "-", "-");
    }
    String correlationId = headers.get(CORRELATION_HEADER);
    if (correlationId == null) {
      correlationId = "";
    } else if (!ID.matcher(correlationId).matches()) {
      return refuse(400, "bad_correlation_id", callConnectionId, "-");
    }
    if (module.metrics.active.get() >= module.config.maxStreams()) {
      return refuse(503, "capacity", callConnectionId, correlationId);
    }
    String cc = callConnectionId;
    String corr = correlationId;
    return authenticate(headers.get("Authorization"), cc).transform(result -> {
      if (result.failed()) {
        AuthFailure reason = result.cause() instanceof JwtValidationException e ? e.reason() : AuthFailure.KEYS_UNAVAILABLE;
        return refuse(401, "auth_" + reason.tag(), cc, corr);
      }
      String by = result.result();
      return Future.succeededFuture(socket -> new MediaConnection(module, socket, cc, corr, by).start());
    });
  }

  /** Succeeds with how the upgrade was authenticated ({@code acs} or {@code tonegate}). */
  private Future<String> authenticate(String authorization, String callConnectionId) {
    MediaConfig.AcceptTokens accept = module.config.acceptTokens();
    MediaTokenVerifier tonegate = module.tonegateTokens();
    boolean useTonegate = accept == MediaConfig.AcceptTokens.TONEGATE
        || (accept == MediaConfig.AcceptTokens.ANY && tonegate != null
            && !module.acsValidator.config().issuer().orElse("").equals(unverifiedIssuer(authorization)));
    if (!useTonegate) {
      return module.acsValidator.validateBearer(authorization).map("acs");
    }
    if (tonegate == null) {
      return Future.failedFuture(new JwtValidationException(AuthFailure.NOT_PERMITTED, "no media token verifier"));
    }
    String token;
    try {
      token = JwtChecks.bearerToken(authorization);
    } catch (JwtValidationException e) {
      return Future.failedFuture(e);
    }
    return tonegate.verify(token, callConnectionId).map("tonegate");
  }

  /**
   * The {@code iss} of a token, read without verifying anything: only to route it to the right verifier, which
   * then checks everything. Null when unreadable.
   */
  static String unverifiedIssuer(String authorization) {
    try {
      String token = JwtChecks.bearerToken(authorization);
      int dot1 = token.indexOf('.');
      int dot2 = token.indexOf('.', dot1 + 1);
      if (dot1 <= 0 || dot2 <= dot1 || token.length() > 16_384) {
        return null;
      }
      byte[] payload = Base64.getUrlDecoder().decode(token.substring(dot1 + 1, dot2));
      return new JsonObject(new String(payload, StandardCharsets.UTF_8)).getValue("iss") instanceof String s ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private <T> Future<T> refuse(int status, String reason, String callConnectionId, String correlationId) {
    module.metrics.refused(reason);
    MDC.put("callConnectionId", callConnectionId);
    MDC.put("correlationId", correlationId);
    try {
      LOG.info("media upgrade refused: {} ({})", status, reason);
    } finally {
      MDC.remove("callConnectionId");
      MDC.remove("correlationId");
    }
    return Future.failedFuture(new WebSocketRejection(status, reason));
  }
}
