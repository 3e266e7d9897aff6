package io.tonegate.identity;

import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * A route handler that admits only requests signed with the ACS HMAC-SHA256 scheme ({@link AcsHmacVerifier}).
 * Mount it before an API's own handler; it needs the body, which the gateway's BodyHandler has already read:
 *
 * <pre>{@code
 * router.post("/api/sessions").handler(identity.hmacAuth()).handler(this::createSession);
 * }</pre>
 *
 * <p>Refusals are {@code 401 {"error":{"code":"Denied","message":...}}} as ACS answers, or 413 for a body over the
 * limit, each counted in {@code tonegate.identity.hmac.failures{reason}}. On success the matched key's index
 * (0 primary, 1 secondary) is left in the context under {@link #KEY_INDEX}.
 */
public final class HmacAuthHandler implements Handler<RoutingContext> {

  /** Routing-context key holding the index of the access key that verified the request. */
  public static final String KEY_INDEX = "tonegate.hmac.keyIndex";

  private final AcsHmacVerifier verifier;
  private final int maxBodySize;
  private final IdentityMetrics metrics;

  HmacAuthHandler(AcsHmacVerifier verifier, int maxBodySize, IdentityMetrics metrics) {
    this.verifier = verifier;
    this.maxBodySize = maxBodySize;
    this.metrics = metrics;
  }

  /** The same check with a different body limit (for APIs whose bodies are larger or smaller). */
  public HmacAuthHandler withMaxBodySize(int bytes) {
    return new HmacAuthHandler(verifier, bytes, metrics);
  }

  @Override
  public void handle(RoutingContext rc) {
    Buffer body = rc.body() == null ? null : rc.body().buffer();
    if (body != null && body.length() > maxBodySize) {
      metrics.hmacFailure(HmacFailure.BODY_TOO_LARGE);
      HttpErrors.send(rc, 413, "PayloadTooLarge", HmacFailure.BODY_TOO_LARGE.message());
      return;
    }
    HttpServerRequest request = rc.request();
    HmacVerification result = verifier.verify(new HmacRequest(request.method().name(), request.uri(),
        name -> header(request, name), body == null ? new byte[0] : body.getBytes()));
    if (!result.ok()) {
      metrics.hmacFailure(result.failure());
      HttpErrors.send(rc, 401, "Denied", result.failure().message());
      return;
    }
    rc.put(KEY_INDEX, result.keyIndex());
    rc.next();
  }

  private static String header(HttpServerRequest request, String name) {
    String value = request.getHeader(name);
    if (value == null && AcsHmac.HOST_HEADER.equals(name) && request.authority() != null) {
      return request.authority().toString();   // HTTP/2 carries the host as :authority
    }
    return value;
  }
}
