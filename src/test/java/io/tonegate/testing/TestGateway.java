package io.tonegate.testing;

import io.tonegate.config.ConfigLoader;
import io.tonegate.config.TonegateConfig;
import io.tonegate.gateway.Gateway;
import io.tonegate.gateway.GatewayContext;
import io.tonegate.gateway.GatewayModule;
import io.tonegate.tls.DevCertificate;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The real gateway for a test: real HTTPS on a free port, two event-loop instances, the shared test Redis (or one
 * the test names), a fresh data directory. Clients trust the gateway's generated certificate (no trust-all).
 */
public final class TestGateway implements AutoCloseable {

  private final Gateway gateway;
  private final Path dataDir;

  private TestGateway(Gateway gateway, Path dataDir) {
    this.gateway = gateway;
    this.dataDir = dataDir;
  }

  /** A gateway on the shared test Redis with the default configuration. */
  public static TestGateway start() {
    return start(new JsonObject());
  }

  /** A gateway with {@code overrides} (same keys as conf/tonegate.yaml) over the defaults. */
  public static TestGateway start(JsonObject overrides) {
    return start(overrides, ctx -> List.of());
  }

  /** As {@link #start(JsonObject)}, plus modules the test supplies (e.g. a probe endpoint). */
  public static TestGateway start(JsonObject overrides, Function<GatewayContext, List<GatewayModule>> extraModules) {
    Path dataDir = TestRedis.dataRoot().resolve("gateway-" + UUID.randomUUID());
    return new TestGateway(Gateway.start(config(overrides, dataDir), extraModules), dataDir);
  }

  /**
   * Overrides for a production-mode gateway (devMode false): every secret that mode requires, generated for the test.
   */
  public static JsonObject productionMode() {
    java.security.SecureRandom random = new java.security.SecureRandom();
    byte[] accessKey = new byte[32];
    byte[] sessionSecret = new byte[32];
    random.nextBytes(accessKey);
    random.nextBytes(sessionSecret);
    java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
    return new JsonObject()
        .put("devMode", false)
        .put("accessKey", base64.encodeToString(accessKey))
        .put("session", new JsonObject().put("keySecret", base64.encodeToString(sessionSecret)))
        .put("media", new JsonObject().put("acs", new JsonObject()
            .put("audiences", new io.vertx.core.json.JsonArray().add("test-acs-resource"))));
  }

  /** The effective configuration of a test gateway before start (for tests that start a Gateway themselves). */
  public static TonegateConfig config(JsonObject overrides, Path dataDir) {
    JsonObject merged = ConfigLoader.load(null, Map.of());
    // This run's topology (standalone by default); a test that names its own Redis url gets exactly that server.
    JsonObject redisOverride = overrides.getJsonObject("redis");
    boolean ownRedis = redisOverride != null && redisOverride.containsKey("url");
    RedisTopology topology = ownRedis ? RedisTopology.STANDALONE : RedisTopology.current();
    JsonObject base = new JsonObject()
        .put("port", 0)
        .put("instances", 2)
        .put("dataDir", dataDir.toString())
        .put("redis", ownRedis ? new JsonObject() : topology.redisSection())
        // tests never reach out to the real ACS JWKS; a test that needs ACS keys serves its own (TestJwks)
        .put("media", new JsonObject().put("acs", new JsonObject().put("jwksUrl", "")));
    ConfigLoader.overlay(merged, base, "");
    ConfigLoader.overlay(merged, overrides, "");
    return TonegateConfig.from(merged);
  }

  public Gateway gateway() {
    return gateway;
  }

  public int port() {
    return gateway.port();
  }

  public String baseUrl() {
    return "https://localhost:" + port();
  }

  /** The gateway's data directory (its generated certificate, dev keys, ...). */
  public Path dataDir() {
    return dataDir;
  }

  public Path certPath() {
    return dataDir.resolve("tls").resolve(DevCertificate.CERT_FILE);
  }

  /** An HTTPS client that trusts only this gateway's certificate. */
  public WebClient webClient(Vertx vertx) {
    return WebClient.create(vertx, new WebClientOptions()
        .setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certPath().toString()))
        .setDefaultHost("localhost")
        .setDefaultPort(port()));
  }

  /** WebSocket client options (WSS) that trust only this gateway's certificate. */
  public WebSocketClientOptions webSocketOptions() {
    return new WebSocketClientOptions()
        .setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certPath().toString()))
        .setDefaultHost("localhost")
        .setDefaultPort(port());
  }

  /** HTTP client options for low-level tests (raw requests, slow readers). */
  public HttpClientOptions httpOptions() {
    return new HttpClientOptions()
        .setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certPath().toString()))
        .setDefaultHost("localhost")
        .setDefaultPort(port());
  }

  /**
   * Sends a WebSocket upgrade request with {@code headers} and returns the HTTP status the gateway answers
   * (101 when accepted). Tests of refused upgrades use it: a refusal must be an HTTP status, never an open socket.
   */
  public int upgradeStatus(Vertx vertx, String uri, MultiMap headers) throws Exception {
    HttpClient client = vertx.createHttpClient(httpOptions());
    try {
      HttpClientRequest request = client.request(HttpMethod.GET, uri).await(10, TimeUnit.SECONDS);
      request.headers()
          .add("Connection", "Upgrade")
          .add("Upgrade", "websocket")
          .add("Sec-WebSocket-Version", "13")
          .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
          .addAll(headers);
      return request.send().await(10, TimeUnit.SECONDS).statusCode();
    } finally {
      client.close();
    }
  }

  @Override
  public void close() {
    gateway.close();
  }
}
