package io.tonegate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OpenID provider for tests (plain HTTP on a free loopback port): a discovery document at
 * {@code /.well-known/openid-configuration} whose {@code issuer} is its own base URL, a JWKS at {@code /jwks} that
 * starts with two keys (RS256 and ES256), and real signed access tokens. It can rotate its keys, go down (503) and
 * come back, and counts the key-set fetches.
 *
 * <pre>{@code
 * TestOidcProvider idp = TestOidcProvider.start(vertx);
 * String token = idp.token("alice").claim("roles", List.of("agent")).sign();
 * }</pre>
 */
public final class TestOidcProvider implements AutoCloseable {

  /** The audience tokens carry unless a test sets another. */
  public static final String AUDIENCE = "api://tonegate-test";

  private final HttpServer server;
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final AtomicInteger discoveryRequests = new AtomicInteger();
  private volatile List<TestJwks.Key> published;
  private volatile TestJwks.Key signingKey;
  private volatile boolean down;

  private TestOidcProvider(HttpServer server) {
    this.server = server;
    TestJwks.Key rsa = TestJwks.rsaKey("rsa-" + Long.toHexString(System.nanoTime()));
    TestJwks.Key ec = TestJwks.ecKey("ec-" + Long.toHexString(System.nanoTime()));
    this.published = List.of(rsa, ec);
    this.signingKey = rsa;
  }

  /** Starts the provider on {@code vertx}. */
  public static TestOidcProvider start(Vertx vertx) throws Exception {
    TestOidcProvider[] self = new TestOidcProvider[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      TestOidcProvider idp = self[0];
      if (idp.down) {
        req.response().setStatusCode(503).end();
        return;
      }
      switch (req.path()) {
        case "/.well-known/openid-configuration" -> {
          idp.discoveryRequests.incrementAndGet();
          req.response().putHeader("content-type", "application/json").end(new JsonObject()
              .put("issuer", idp.issuer())
              .put("jwks_uri", idp.jwksUrl())
              .put("authorization_endpoint", idp.issuer() + "/authorize")
              .put("token_endpoint", idp.issuer() + "/token")
              .put("response_types_supported", new JsonArray().add("code"))
              .put("subject_types_supported", new JsonArray().add("public"))
              .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256").add("ES256"))
              .encode());
        }
        case "/jwks" -> {
          idp.jwksRequests.incrementAndGet();
          JsonArray keys = new JsonArray();
          idp.published.forEach(k -> keys.add(k.jwk()));
          req.response().putHeader("content-type", "application/json").end(new JsonObject().put("keys", keys).encode());
        }
        default -> req.response().setStatusCode(404).end();
      }
    });
    self[0] = new TestOidcProvider(server);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return self[0];
  }

  /** The issuer: this provider's base URL, as real providers publish it. */
  public String issuer() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public String discoveryUrl() {
    return issuer() + "/.well-known/openid-configuration";
  }

  public String jwksUrl() {
    return issuer() + "/jwks";
  }

  /** The published keys (two at start: RS256, then ES256). */
  public List<TestJwks.Key> keys() {
    return published;
  }

  /** The key new tokens are signed with (the RS256 one at start). */
  public TestJwks.Key signingKey() {
    return signingKey;
  }

  /**
   * Key rotation as providers do it: a new RS256 key is published next to the current ones, new tokens are signed
   * with it, and the oldest key is dropped. Returns the new key.
   */
  public TestJwks.Key rotate() {
    TestJwks.Key next = TestJwks.rsaKey("rsa-" + Long.toHexString(System.nanoTime()));
    List<TestJwks.Key> current = published;
    published = List.of(current.get(current.size() - 1), next);
    signingKey = next;
    return next;
  }

  /** While down, every request (discovery, JWKS) answers 503. */
  public void down(boolean isDown) {
    down = isDown;
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  public int discoveryRequests() {
    return discoveryRequests.get();
  }

  /** A token for {@code subject} from this provider: valid for an hour, audience {@link #AUDIENCE}. */
  public TokenBuilder token(String subject) {
    return new TokenBuilder(this, subject);
  }

  /** Claims and key of a token to sign; tests change any of them to forge bad tokens. */
  public static final class TokenBuilder {
    private final TestOidcProvider idp;
    private final JsonObject claims;
    private TestJwks.Key key;

    private TokenBuilder(TestOidcProvider idp, String subject) {
      this.idp = idp;
      long now = Instant.now().getEpochSecond();
      this.claims = new JsonObject().put("iss", idp.issuer()).put("sub", subject).put("aud", AUDIENCE)
          .put("iat", now).put("nbf", now - 5).put("exp", now + 3600);
      this.key = idp.signingKey;
    }

    public TokenBuilder claim(String name, Object value) {
      claims.put(name, value instanceof List<?> list ? new JsonArray(list) : value);
      return this;
    }

    public TokenBuilder without(String name) {
      claims.remove(name);
      return this;
    }

    public TokenBuilder expiredSecondsAgo(long seconds) {
      long now = Instant.now().getEpochSecond();
      claims.put("iat", now - 3600 - seconds).put("nbf", now - 3600 - seconds).put("exp", now - seconds);
      return this;
    }

    /** Signs with another key (e.g. one the provider never published). */
    public TokenBuilder signedWith(TestJwks.Key other) {
      this.key = other;
      return this;
    }

    public JsonObject claims() {
      return claims;
    }

    public String sign() {
      return key.sign(claims);
    }
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
