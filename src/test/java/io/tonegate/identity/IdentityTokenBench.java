package io.tonegate.identity;

import io.tonegate.testing.ClosedLoopLoad;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Load client for docs/benchmarks.md "Identity tokens": HMAC-signed {@code :issueAccessToken} requests against the
 * real gateway over HTTPS (2 event-loop instances, real Redis), a fixed number in flight, for a fixed time; prints
 * tokens/s and latency percentiles. Client and gateway share the machine. Not part of the normal test run:
 *
 * <pre>
 * mvn -B -o test -Dtest=IdentityTokenBench -Dtonegate.bench=true [-Dbench.seconds=30 -Dbench.concurrency=32]
 * </pre>
 */
@EnabledIfSystemProperty(named = "tonegate.bench", matches = "true")
class IdentityTokenBench {

  static final int SECONDS = Integer.getInteger("bench.seconds", 30);
  static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 10);
  static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 32);
  static final int CONNECTIONS = Integer.getInteger("bench.connections", 16);
  static final int IDENTITIES = 200;

  @Test
  @DisplayName("Benchmark: tokens per second and latency with HMAC verification, and the pure signing cost")
  void bench() throws Exception {
    pureCore();
    AcsAccessKey key = AcsAccessKey.generate(new SecureRandom());
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("accessKey", key.toBase64())
        .put("logging", new JsonObject().put("level", "WARN")))) {
      Vertx vertx = Vertx.vertx();
      try {
        HttpClient client = vertx.createHttpClient(gateway.httpOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(CONNECTIONS));
        AcsHmacSigner signer = new AcsHmacSigner(key, Clock.systemUTC());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < IDENTITIES; i++) {
          JsonObject created = new JsonObject(call(client, signer, "/identities?api-version=2022-10-01", "{}")
              .await(10, TimeUnit.SECONDS).toString());
          ids.add(created.getJsonObject("identity").getString("id"));
        }
        ClosedLoopLoad load = new ClosedLoopLoad("identity tokens", CONCURRENCY,
            "concurrency " + CONCURRENCY + ", " + CONNECTIONS + " connections",
            n -> call(client, signer, "/identities/" + ids.get((int) (n % ids.size()))
                + "/:issueAccessToken?api-version=2022-10-01", "{\"scopes\":[\"voip\"],\"expiresInMinutes\":60}"));
        load.run(WARMUP_SECONDS, "warm-up");
        load.run(SECONDS, "measured");
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Sends one signed POST; fails unless 200/201. */
  static Future<Buffer> call(HttpClient client, AcsHmacSigner signer, String uri, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    AcsHmacSigner.AcsHmacHeaders h = signer.sign("POST", uri, "localhost", bytes);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri).setIdleTimeout(5_000);
    h.asMap().forEach(options::putHeader);
    options.putHeader("content-type", "application/json");
    return client.request(options)
        .compose(request -> request.send(Buffer.buffer(bytes)))
        .compose(response -> response.body().compose(b -> response.statusCode() / 100 == 2
            ? Future.succeededFuture(b)
            : Future.failedFuture("HTTP " + response.statusCode() + " " + b)));
  }

  /** The cost of the pure parts on one thread: ES256 minting, verification, HMAC verification. */
  static void pureCore() {
    SecureRandom random = new SecureRandom();
    SigningKeyRing ring = SigningKeyRing.of(SigningKey.generate(JwtAlgorithm.ES256, java.time.Instant.now(), random));
    AccessTokenIssuer issuer = new AccessTokenIssuer("https://localhost:8443/", "tonegate", () -> ring,
        Clock.systemUTC());
    AccessTokenVerifier verifier = new AccessTokenVerifier(AccessTokenVerifier.resolver(List.of(ring.current())),
        "https://localhost:8443/", "tonegate", Duration.ofSeconds(60), Clock.systemUTC());
    IdentityId id = IdentityId.generate("tonegate", random);
    String token = issuer.issue(id, EnumSet.of(TokenScope.VOIP), Duration.ofHours(1)).token();
    AcsAccessKey key = AcsAccessKey.generate(random);
    AcsHmacVerifier hmac = new AcsHmacVerifier(List.of(key), Duration.ofMinutes(15), List.of(), Clock.systemUTC());
    byte[] body = "{\"scopes\":[\"voip\"]}".getBytes(StandardCharsets.UTF_8);
    String uri = "/identities/" + id.rawId() + "/:issueAccessToken?api-version=2022-10-01";
    var headers = new AcsHmacSigner(key, Clock.systemUTC()).sign("POST", uri, "localhost", body).asMap();
    HmacRequest request = new HmacRequest("POST", uri,
        n -> n.equals("host") ? "localhost:8443" : headers.entrySet().stream()
            .filter(e -> e.getKey().equalsIgnoreCase(n)).map(java.util.Map.Entry::getValue).findFirst().orElse(null),
        body);
    for (int round = 0; round < 2; round++) {
      int n = 20_000;
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        issuer.issue(id, EnumSet.of(TokenScope.VOIP), Duration.ofHours(1));
      }
      long issueNs = (System.nanoTime() - t) / n;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        verifier.verify(token);
      }
      long verifyNs = (System.nanoTime() - t) / n;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (!hmac.verify(request).ok()) {
          throw new AssertionError("hmac");
        }
      }
      long hmacNs = (System.nanoTime() - t) / n;
      System.out.printf("identity pure core [%s, one thread]: ES256 issue %.1f us, verify %.1f us, HMAC verify %.1f us%n",
          round == 0 ? "warm-up" : "measured", issueNs / 1000.0, verifyNs / 1000.0, hmacNs / 1000.0);
    }
  }
}
