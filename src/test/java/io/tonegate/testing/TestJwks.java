package io.tonegate.testing;

import io.tonegate.auth.JwkSet;
import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real JWKS endpoint for tests (plain HTTP on a free loopback port) with keys the test controls, and real signed
 * tokens. Counts requests, can go down (503) and come back, can rotate keys. Also serves an OpenID discovery
 * document at {@code /.well-known/openid-configuration}.
 */
public final class TestJwks implements AutoCloseable {

  /** A signing key with its kid. */
  public record Key(String kid, JwsAlgorithm alg, KeyPair pair) {

    /** A token signed by this key with {@code claims}. */
    public String sign(JsonObject claims) {
      return JwtSigner.sign(alg, kid, pair.getPrivate(), claims);
    }

    public JsonObject jwk() {
      return JwkSet.toJwk(kid, alg, pair.getPublic());
    }
  }

  private final HttpServer server;
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private volatile List<Key> published = new ArrayList<>();
  private volatile boolean down;

  private TestJwks(HttpServer server) {
    this.server = server;
  }

  /** Starts the endpoint on {@code vertx}. */
  public static TestJwks start(Vertx vertx) throws Exception {
    TestJwks[] self = new TestJwks[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      TestJwks jwks = self[0];
      if (jwks.down) {
        req.response().setStatusCode(503).end();
        return;
      }
      switch (req.path()) {
        case "/keys" -> {
          jwks.jwksRequests.incrementAndGet();
          JsonArray keys = new JsonArray();
          jwks.published.forEach(k -> keys.add(k.jwk()));
          req.response().putHeader("content-type", "application/json").end(new JsonObject().put("keys", keys).encode());
        }
        case "/.well-known/openid-configuration" -> req.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("issuer", "https://issuer.test").put("jwks_uri", jwks.url()).encode());
        default -> req.response().setStatusCode(404).end();
      }
    });
    self[0] = new TestJwks(server);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return self[0];
  }

  public static Key rsaKey(String kid) {
    return new Key(kid, JwsAlgorithm.RS256, generate("RSA", 2048));
  }

  public static Key ecKey(String kid) {
    return new Key(kid, JwsAlgorithm.ES256, generate("EC", 256));
  }

  private static KeyPair generate(String type, int size) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
      if ("EC".equals(type)) {
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        generator.initialize(size);
      }
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims valid for an hour from now with this issuer and audience. */
  public static JsonObject claims(String issuer, String audience) {
    return claims(issuer, audience, Instant.now());
  }

  /** Claims valid for an hour from {@code at}. */
  public static JsonObject claims(String issuer, String audience, Instant at) {
    long now = at.getEpochSecond();
    return new JsonObject().put("iss", issuer).put("aud", audience).put("iat", now).put("nbf", now - 5)
        .put("exp", now + 3600);
  }

  /** Publishes exactly these keys from now on. */
  public TestJwks publish(Key... keys) {
    published = List.of(keys);
    return this;
  }

  public void down(boolean isDown) {
    down = isDown;
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/keys";
  }

  public String discoveryUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/.well-known/openid-configuration";
  }

  /** The JWKS document of {@code keys}, for file-based sources. */
  public static String document(Key... keys) {
    JsonArray array = new JsonArray();
    for (Key key : keys) {
      array.add(key.jwk());
    }
    return new JsonObject().put("keys", array).encodePrettily();
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
