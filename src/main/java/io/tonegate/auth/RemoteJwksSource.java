package io.tonegate.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.TimeoutException;

/**
 * Keys from a JWKS URL, or from the {@code jwks_uri} of an OpenID discovery document
 * ({@code .../.well-known/openid-configuration}, or ACS's {@code .../calling/.well-known/acsopenidconfiguration}),
 * fetched with the Vert.x {@link WebClient}. The discovered {@code jwks_uri} is remembered; it is looked up again
 * only when a JWKS fetch fails.
 */
final class RemoteJwksSource extends CachingKeySource {

  /** Larger documents are refused: real ones are a few KiB. */
  static final int MAX_DOCUMENT_BYTES = 1 << 20;

  private final WebClient client; // kept referenced: Vert.x 5 clients close when garbage-collected
  private final URI jwksUrl;
  private final URI discoveryUrl;
  private final long timeoutMs;
  private volatile URI discoveredJwksUrl;

  RemoteJwksSource(Vertx vertx, String name, JwtValidatorConfig config, Clock clock, AuthMetrics metrics) {
    super(vertx, name, config.refreshInterval(), config.minRefreshInterval(), clock, metrics);
    this.jwksUrl = config.jwksUrl().orElse(null);
    this.discoveryUrl = config.discoveryUrl().orElse(null);
    this.timeoutMs = config.fetchTimeout().toMillis();
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent("Tonegate")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
        .setFollowRedirects(false));
  }

  @Override
  protected String describe() {
    return jwksUrl != null ? jwksUrl.toString() : "discovery " + discoveryUrl;
  }

  @Override
  protected Future<String> load() {
    if (jwksUrl != null) {
      return get(jwksUrl);
    }
    URI known = discoveredJwksUrl;
    if (known != null) {
      return get(known).recover(e -> {
        discoveredJwksUrl = null; // the provider may have moved its keys: discover again next time
        return Future.failedFuture(e);
      });
    }
    return get(discoveryUrl).compose(body -> {
      URI discovered;
      try {
        Object uri = new JsonObject(body).getValue("jwks_uri");
        if (!(uri instanceof String s) || !(s.startsWith("https://") || s.startsWith("http://"))) {
          return Future.failedFuture(new LoadFailure(Outcome.INVALID_DOCUMENT, "discovery document has no jwks_uri"));
        }
        discovered = URI.create(s);
      } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
        return Future.failedFuture(new LoadFailure(Outcome.INVALID_DOCUMENT, "discovery document is not JSON"));
      }
      discoveredJwksUrl = discovered;
      return get(discovered);
    });
  }

  private Future<String> get(URI url) {
    return client.getAbs(url.toString())
        .timeout(timeoutMs)
        .putHeader("accept", "application/json")
        .send()
        .recover(e -> Future.failedFuture(new LoadFailure(Outcome.UNREACHABLE,
            e instanceof TimeoutException ? "timed out after " + timeoutMs + " ms" : e.toString())))
        .compose(this::body);
  }

  private Future<String> body(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture(new LoadFailure(Outcome.HTTP_ERROR, "HTTP " + response.statusCode()));
    }
    Buffer body = response.body();
    if (body == null || body.length() > MAX_DOCUMENT_BYTES) {
      return Future.failedFuture(new LoadFailure(Outcome.INVALID_DOCUMENT, "empty or larger than 1 MiB"));
    }
    return Future.succeededFuture(body.toString());
  }

  @Override
  public void close() {
    client.close();
  }
}
