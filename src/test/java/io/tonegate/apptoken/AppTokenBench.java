package io.tonegate.apptoken;

import io.tonegate.testing.ClosedLoopLoad;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestOidcProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Load client for docs/benchmarks.md "App tokens": {@code POST /api/token} with RS256 tokens of the test OIDC
 * provider (200 users, identities created in the first pass) against the real gateway over HTTPS (2 event-loop
 * instances, real Redis), both rate limits on (high), a fixed number in flight, for a fixed time. Each request: the
 * per-IP limit, RS256 verification, the per-user limit, the policy, the customId mapping, the revocation-safe iat
 * and ES256 signing. Not part of the normal test run:
 *
 * <pre>
 * mvn -B -o test -Dtest=AppTokenBench -Dtonegate.bench=true [-Dbench.seconds=20 -Dbench.concurrency=32]
 * </pre>
 */
@EnabledIfSystemProperty(named = "tonegate.bench", matches = "true")
class AppTokenBench {

  static final int SECONDS = Integer.getInteger("bench.seconds", 20);
  static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 10);
  static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 32);
  static final int CONNECTIONS = Integer.getInteger("bench.connections", 16);
  static final int USERS = 200;

  @Test
  @DisplayName("Benchmark: app tokens per second and latency")
  void bench() throws Exception {
    Vertx vertx = Vertx.vertx();
    TestOidcProvider idp = TestOidcProvider.start(vertx);
    JsonObject provider = new JsonObject().put("name", "bench").put("issuer", idp.issuer())
        .put("audiences", new JsonArray().add(TestOidcProvider.AUDIENCE)).put("discoveryUrl", idp.discoveryUrl())
        .put("algorithms", new JsonArray().add("RS256"));
    JsonObject config = new JsonObject()
        .put("logging", new JsonObject().put("level", "WARN"))
        .put("redis", new JsonObject().put("keyPrefix", "bench" + UUID.randomUUID().toString().substring(0, 8) + ":"))
        .put("appToken", new JsonObject().put("enabled", true).put("providers", new JsonArray().add(provider))
            .put("rateLimits", new JsonObject()
                .put("perUser", new JsonObject().put("limit", 100_000).put("window", "1m"))
                .put("perIp", new JsonObject().put("limit", 100_000).put("window", "1m"))));
    try (TestGateway gateway = TestGateway.start(config)) {
      HttpClient client = vertx.createHttpClient(gateway.httpOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(CONNECTIONS));
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        tokens.add(idp.token("bench-user-" + i).claim("roles", List.of("agent")).sign());
      }
      for (String token : tokens) {
        call(client, token).await(10, TimeUnit.SECONDS);   // first use: creates the identity
      }
      ClosedLoopLoad load = new ClosedLoopLoad("app tokens", CONCURRENCY,
          "concurrency " + CONCURRENCY + ", " + CONNECTIONS + " connections",
          n -> call(client, tokens.get((int) (n % tokens.size()))));
      load.run(WARMUP_SECONDS, "warm-up");
      load.run(SECONDS, "measured");
      client.close().await(10, TimeUnit.SECONDS);
    } finally {
      idp.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  static Future<Buffer> call(HttpClient client, String token) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(AppTokenModule.PATH)
        .setIdleTimeout(5_000).putHeader("Authorization", "Bearer " + token)
        .putHeader("content-type", "application/json");
    return client.request(options)
        .compose(request -> request.send("{\"scopes\":[\"voip\",\"pstn\"]}"))
        .compose(response -> response.body().compose(b -> response.statusCode() == 200
            ? Future.succeededFuture(b) : Future.failedFuture("HTTP " + response.statusCode() + " " + b)));
  }
}
