package io.tonegate.session;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmacSigner;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of the session API (and the development call API) for IVR integrations, the simulator and tests.
 * Requests are signed with an access key (ACS HMAC-SHA256, as the identity API) or carry a bearer access token.
 * A refusal fails the future with an {@link ApiException} holding the status and the error body's code.
 *
 * <pre>{@code
 * SessionApiClient api = SessionApiClient.withAccessKey(webClient, URI.create("https://localhost:8443"), key);
 * api.storeKey("pstn:+15551234567:823", new JsonObject().put("who", "alice"), Duration.ofMinutes(10), true);
 * }</pre>
 * The {@link WebClient} must stay referenced by the caller while requests run (vert.x#5839).
 */
public final class SessionApiClient {

  /** A refused request: HTTP status, the error code of the JSON body, and its message. */
  public static final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
      super(status + " " + code + ": " + message, null, false, false);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }
  }

  private final WebClient client;
  private final URI base;
  private final Optional<AcsHmacSigner> signer;
  private final Optional<String> bearer;

  private SessionApiClient(WebClient client, URI base, Optional<AcsHmacSigner> signer, Optional<String> bearer) {
    this.client = client;
    this.base = base;
    this.signer = signer;
    this.bearer = bearer;
  }

  /** Requests signed with {@code key}. {@code base} is the gateway's URL, e.g. {@code https://localhost:8443}. */
  public static SessionApiClient withAccessKey(WebClient client, URI base, AcsAccessKey key) {
    return new SessionApiClient(client, base, Optional.of(new AcsHmacSigner(key, Clock.systemUTC())), Optional.empty());
  }

  /** Requests with {@code Authorization: Bearer <token>} (a Tonegate token with the sessions scopes). */
  public static SessionApiClient withToken(WebClient client, URI base, String token) {
    return new SessionApiClient(client, base, Optional.empty(), Optional.of(token));
  }

  /** Stores a key; succeeds with the 201 body ({@code id}, {@code key} with the code masked, {@code expiresAt}). */
  public Future<JsonObject> storeKey(String key, JsonObject value, Duration ttl, boolean replace) {
    JsonObject body = new JsonObject().put("key", key).put("value", value).put("ttlSeconds", ttl.toSeconds())
        .put("replace", replace);
    return send(HttpMethod.POST, "/api/sessions", body).compose(SessionApiClient::json);
  }

  /** Reads a stored key by id or key. */
  public Future<JsonObject> get(String idOrKey) {
    return send(HttpMethod.GET, "/api/sessions/" + encode(idOrKey), null).compose(SessionApiClient::json);
  }

  /** Deletes a stored key by id or key. */
  public Future<Void> delete(String idOrKey) {
    return send(HttpMethod.DELETE, "/api/sessions/" + encode(idOrKey), null).compose(r -> Future.succeededFuture());
  }

  /**
   * Creates the call record of a simulated call (development gateways only): {@code {"flow": "pstn", "ani": ...}};
   * succeeds with {@code callConnectionId} and {@code correlationId}.
   */
  public Future<JsonObject> createSimulatedCall(JsonObject call) {
    return send(HttpMethod.POST, "/api/dev/calls", call).compose(SessionApiClient::json);
  }

  /** Sends a request with these credentials; a non-2xx answer fails with {@link ApiException}. */
  public Future<HttpResponse<Buffer>> send(HttpMethod method, String pathAndQuery, JsonObject body) {
    byte[] bytes = body == null ? new byte[0] : body.encode().getBytes(StandardCharsets.UTF_8);
    int port = base.getPort() > 0 ? base.getPort() : ("https".equals(base.getScheme()) ? 443 : 80);
    HttpRequest<Buffer> request = client.request(method, port, base.getHost(), pathAndQuery)
        .ssl("https".equals(base.getScheme()));
    signer.ifPresent(s -> s.sign(method.name(), pathAndQuery, base.getHost(), bytes).asMap()
        .forEach(request::putHeader));
    bearer.ifPresent(token -> request.putHeader("Authorization", "Bearer " + token));
    if (body != null) {
      request.putHeader("content-type", "application/json");
    }
    return request.sendBuffer(Buffer.buffer(bytes)).compose(response -> {
      if (response.statusCode() / 100 == 2) {
        return Future.succeededFuture(response);
      }
      String code = "Unknown";
      String message = response.statusMessage();
      try {
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        code = error.getString("code", code);
        message = error.getString("message", message);
      } catch (RuntimeException ignored) {
        // not the JSON error shape: keep the status line
      }
      return Future.failedFuture(new ApiException(response.statusCode(), code, message));
    });
  }

  private static Future<JsonObject> json(HttpResponse<Buffer> response) {
    return Future.succeededFuture(response.bodyAsJsonObject());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"); // a path, not a form
  }
}
