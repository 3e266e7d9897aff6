package io.tonegate.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmac;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.testing.LogCapture;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HMAC attack matrix: every API that accepts the ACS HMAC-SHA256 access-key signature (the identity API's four
 * operations, storing and deleting session keys, the presence service write), against every way to bend a signed request, over real HTTPS on a
 * production-mode gateway. Each attack starts from a request correctly signed with the real access key and changes
 * one thing, so each refusal is the check under test. Every cell asserts 401, the reason counted in
 * {@code tonegate.identity.hmac.failures}, and that nothing happened (no identity, token, revocation, session key
 * or presence change); the unaltered request (the control) must succeed at the same door.
 */
@DisplayName("HMAC attacks at every access-key API: 401, counted by reason, nothing done")
class HmacAttackMatrixTest {

  private static final String VERSION = "?api-version=" + SecurityTesting.API_VERSION;
  private static final AcsAccessKey KEY = AcsAccessKey.fromBase64(SecurityTesting.ACCESS_KEY);
  private static final AcsAccessKey WRONG_KEY = AcsAccessKey.generate(new SecureRandom());

  private static Vertx vertx;
  private static TestGateway gateway;
  private static WebClient web;
  private static String identityA;
  private static String identityB;
  private static String tokenB;
  private static String prefix;
  private static Redis redis;

  /** A request as it is signed: method, raw path and query, body. */
  record Signed(HttpMethod method, String uri, String body) {
  }

  /** One API: a fresh legitimate request each time, and the count of what it does when accepted. */
  record Door(String name, Supplier<Signed> request, Supplier<Double> effects, String alteredPath) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The request actually sent, after the attacker's change. */
  record Sent(HttpMethod method, String uri, Map<String, String> headers, String body) {
  }

  record Attack(String name, String reason, Function<Door, Sent> forge) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Door> DOORS = List.of(
      new Door("POST /identities (create)",
          () -> new Signed(HttpMethod.POST, "/identities" + VERSION, "{\"createTokenWithScopes\":[\"voip\"]}"),
          () -> counter("tonegate.identity.identities"), "/identities/" + "8:acs:tonegate_x" + "/:issueAccessToken" + VERSION),
      new Door("POST /identities/{id}/:issueAccessToken",
          () -> new Signed(HttpMethod.POST, "/identities/" + identityA + "/:issueAccessToken" + VERSION,
              "{\"scopes\":[\"voip\"]}"),
          () -> counter("tonegate.identity.tokens.issued"), null),
      new Door("POST /identities/{id}/:revokeAccessTokens",
          () -> new Signed(HttpMethod.POST, "/identities/" + identityA + "/:revokeAccessTokens" + VERSION, ""),
          () -> sum(registry().find("tonegate.identity.tokens.revoked")), null),
      new Door("POST /api/sessions (store a session key)",
          () -> new Signed(HttpMethod.POST, "/api/sessions",
              new JsonObject().put("key", "pstn:+1555" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999)
                  + ":8231").put("ttlSeconds", 60).encode()),
          HmacAttackMatrixTest::storedSessionKeys, "/api/sessionz"),
      new Door("DELETE /identities/{id}",
          () -> new Signed(HttpMethod.DELETE, "/identities/" + freshIdentity() + VERSION, ""),
          () -> counter("tonegate.identity.tokens.revoked", "via", "delete"),
          "/identities/8:acs:tonegate_someone-else" + VERSION),
      new Door("DELETE /api/sessions/{key}",
          () -> new Signed(HttpMethod.DELETE, "/api/sessions/" + SecurityTesting.encode(storedKey()), ""),
          () -> -storedSessionKeys(), "/api/sessionz/x"),
      new Door("PUT /api/presence/{user} (service write)",
          () -> new Signed(HttpMethod.PUT, "/api/presence/" + SecurityTesting.encode(identityB),
              new JsonObject().put("availability", "Busy").put("activity", "InACall").encode()),
          HmacAttackMatrixTest::presenceVersion, null));

  private static final List<Attack> ATTACKS = List.of(
      new Attack("no Authorization header", null, door -> {
        Signed s = door.request().get();
        Sent sent = send(s, sign(s, KEY, Instant.now()));
        sent.headers().remove("Authorization");
        return sent;
      }),
      new Attack("signed with another access key", "signature_mismatch", door -> {
        Signed s = door.request().get();
        return send(s, sign(s, WRONG_KEY, Instant.now()));
      }),
      new Attack("one signature byte flipped", "signature_mismatch", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        String auth = headers.get("Authorization");
        int at = auth.indexOf("Signature=") + "Signature=".length();
        headers.put("Authorization", auth.substring(0, at) + (auth.charAt(at) == 'A' ? 'B' : 'A') + auth.substring(at + 1));
        return send(s, headers);
      }),
      new Attack("x-ms-date 16 minutes old (stale; a replay after the window)", "date_out_of_window", door -> {
        Signed s = door.request().get();
        return send(s, sign(s, KEY, Instant.now().minus(Duration.ofMinutes(16))));
      }),
      new Attack("x-ms-date 16 minutes ahead", "date_out_of_window", door -> {
        Signed s = door.request().get();
        return send(s, sign(s, KEY, Instant.now().plus(Duration.ofMinutes(16))));
      }),
      new Attack("x-ms-date not an RFC 1123 date", "malformed_date", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        headers.put("x-ms-date", Instant.now().toString());
        return send(s, headers);
      }),
      new Attack("x-ms-date header missing", "malformed_date", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        headers.remove("x-ms-date");
        return send(s, headers);
      }),
      new Attack("body altered after signing (content hash left)", "content_hash_mismatch", door -> {
        Signed s = door.request().get();
        return new Sent(s.method(), s.uri(), sign(s, KEY, Instant.now()), alter(s.body()));
      }),
      new Attack("body altered and its content hash recomputed", "signature_mismatch", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        String body = alter(s.body());
        headers.put("x-ms-content-sha256", AcsHmac.contentHash(body.getBytes(StandardCharsets.UTF_8)));
        return new Sent(s.method(), s.uri(), headers, body);
      }),
      new Attack("x-ms-content-sha256 not the hash of the body", "content_hash_mismatch", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        headers.put("x-ms-content-sha256", AcsHmac.contentHash("other".getBytes(StandardCharsets.UTF_8)));
        return send(s, headers);
      }),
      new Attack("x-ms-content-sha256 header missing", "missing_signed_header", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        headers.remove("x-ms-content-sha256");
        return send(s, headers);
      }),
      new Attack("signed for another path (another identity, another API)", "signature_mismatch", door -> {
        Signed real = door.request().get();
        Signed other = new Signed(real.method(), otherPath(door, real), real.body());
        return send(real, sign(other, KEY, Instant.now()));
      }),
      new Attack("query parameter added after signing", "signature_mismatch", door -> {
        Signed s = door.request().get();
        return new Sent(s.method(), s.uri() + (s.uri().contains("?") ? "&" : "?") + "replace=true",
            sign(s, KEY, Instant.now()), s.body());
      }),
      new Attack("query parameter changed after signing", "signature_mismatch", door -> {
        Signed s = door.request().get();
        Signed signed = new Signed(s.method(), s.uri() + (s.uri().contains("?") ? "&" : "?") + "x=1", s.body());
        return new Sent(s.method(), signed.uri().replace("x=1", "x=2"), sign(signed, KEY, Instant.now()), s.body());
      }),
      new Attack("signed with another method", "signature_mismatch", door -> {
        Signed s = door.request().get();
        Signed other = new Signed(s.method() == HttpMethod.POST ? HttpMethod.PUT : HttpMethod.POST, s.uri(), s.body());
        return send(s, sign(other, KEY, Instant.now()));
      }),
      new Attack("signed for another host", "signature_mismatch", door -> {
        Signed s = door.request().get();
        byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(new AcsHmacSigner(KEY, Clock.systemUTC())
            .sign(s.method().name(), s.uri(), "evil.example", AcsHmac.contentHash(body), Instant.now()).asMap());
        return send(s, headers);
      }),
      new Attack("SignedHeaders without host", "unsigned_required_header", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        headers.put("Authorization", headers.get("Authorization")
            .replace("SignedHeaders=x-ms-date;host;x-ms-content-sha256", "SignedHeaders=x-ms-date;x-ms-content-sha256"));
        return send(s, headers);
      }),
      new Attack("another Authorization scheme", "malformed_authorization", door -> {
        Signed s = door.request().get();
        Map<String, String> headers = sign(s, KEY, Instant.now());
        headers.put("Authorization", "HMAC-SHA1 " + headers.get("Authorization").substring("HMAC-SHA256 ".length()));
        return send(s, headers);
      }));

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    prefix = "hm" + UUID.randomUUID().toString().substring(0, 8) + ":";
    redis = Redis.createClient(vertx, TestRedis.shared().url());
    JsonObject config = TestGateway.productionMode().put("accessKey", SecurityTesting.ACCESS_KEY)
        .put("redis", new JsonObject().put("keyPrefix", prefix))
        .put("rateLimits", new JsonObject().put("perSourceIp", new JsonObject().put("limit", 10_000).put("window", "1m")));
    gateway = TestGateway.start(config);
    web = gateway.webClient(vertx);
    identityA = SecurityTesting.newIdentity(web, gateway, "voip").id();
    SecurityTesting.Identity b = SecurityTesting.newIdentity(web, gateway, "presence.read");
    identityB = b.id();
    tokenB = b.token();
  }

  @AfterAll
  static void stop() throws Exception {
    web.close();
    redis.close();
    gateway.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static Stream<Door> doors() {
    return DOORS.stream();
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cells = new ArrayList<>();
    for (Door door : DOORS) {
      for (Attack attack : ATTACKS) {
        cells.add(Arguments.of(door, attack));
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("doors")
  @DisplayName("control: the request signed with the real key, unaltered, is accepted and takes effect")
  void signedRequestAccepted(Door door) throws Exception {
    Signed s = door.request().get();   // may prepare what it acts on (an identity, a key): measured after that
    double effects = door.effects().get();
    HttpResponse<Buffer> response = deliver(send(s, sign(s, KEY, Instant.now())));
    assertThat(response.statusCode()).as(response.bodyAsString()).isBetween(200, 204);
    assertThat(door.effects().get() - effects).as("the accepted request took effect").isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  @DisplayName("each forged request at each API: 401 Denied (ACS error shape), counted by reason, no effect, nothing logged at ERROR")
  void forgedRequestRefused(Door door, Attack attack) throws Exception {
    Sent forged = attack.forge().apply(door);
    double effects = door.effects().get();
    double refusals = refusals();
    double reasons = attack.reason() == null ? 0 : hmacFailures(attack.reason());
    HttpResponse<Buffer> response;
    try (LogCapture log = new LogCapture()) {
      response = deliver(forged);
      assertThat(log.errors()).as("a forged request is not an operator's problem: nothing at ERROR").isEmpty();
    }
    assertThat(response.statusCode()).as("%s at %s: %s", attack, door, response.bodyAsString()).isEqualTo(401);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isIn("Denied", "Unauthorized");
    assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain(SecurityTesting.ACCESS_KEY);
    assertThat(refusals() - refusals).as("refusal counted").isGreaterThanOrEqualTo(1);
    if (attack.reason() != null) {
      assertThat(hmacFailures(attack.reason()) - reasons).as("reason %s counted", attack.reason()).isEqualTo(1);
    }
    assertThat(door.effects().get()).as("nothing happened").isEqualTo(effects);
  }

  @Test
  @DisplayName("a captured request replayed inside the skew window is accepted (ACS has no nonce): documented, bounded by the window")
  void replayInsideWindowIsAccepted() throws Exception {
    // Not a defence but a documented limit (docs/security.md): prove the behaviour so the docs stay true.
    Signed s = new Signed(HttpMethod.POST, "/identities/" + identityA + "/:issueAccessToken" + VERSION,
        "{\"scopes\":[\"voip\"]}");
    Sent captured = send(s, sign(s, KEY, Instant.now().minus(Duration.ofMinutes(14))));
    assertThat(deliver(captured).statusCode()).isEqualTo(200);
    assertThat(deliver(captured).statusCode()).isEqualTo(200);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private static Map<String, String> sign(Signed s, AcsAccessKey key, Instant date) {
    byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
    return new LinkedHashMap<>(new AcsHmacSigner(key, Clock.systemUTC())
        .sign(s.method().name(), s.uri(), "localhost", AcsHmac.contentHash(body), date).asMap());
  }

  private static Sent send(Signed s, Map<String, String> headers) {
    return new Sent(s.method(), s.uri(), headers, s.body());
  }

  private static HttpResponse<Buffer> deliver(Sent sent) throws Exception {
    HttpRequest<Buffer> request = web.request(sent.method(), sent.uri());
    sent.headers().forEach(request::putHeader);
    request.putHeader("content-type", "application/json");
    return request.sendBuffer(Buffer.buffer(sent.body())).await(20, TimeUnit.SECONDS);
  }

  private static String alter(String body) {
    if (body.isEmpty()) {
      return "{}";
    }
    return body.replace("voip", "chat").replace("8231", "8232").replace("Busy", "Away");
  }

  private static String otherPath(Door door, Signed real) {
    if (door.alteredPath() != null) {
      return door.alteredPath();
    }
    return real.uri().replace(identityA, identityB).replace(SecurityTesting.encode(identityB),
        SecurityTesting.encode(identityA));
  }

  private static MeterRegistry registry() {
    return gateway.gateway().context().registry();
  }

  private static double counter(String name, String... tags) {
    return sum(registry().find(name).tags(tags));
  }

  private static double sum(Search search) {
    return search.counters().stream().mapToDouble(Counter::count).sum();
  }

  private static double hmacFailures(String reason) {
    return counter("tonegate.identity.hmac.failures", "reason", reason);
  }

  /** Every refusal an access-key API counts: HMAC failures, and presence's own missing_token. */
  private static double refusals() {
    return sum(registry().find("tonegate.identity.hmac.failures"))
        + sum(registry().find("tonegate.presence.refused").tag("endpoint", "put"));
  }

  /** A new identity, for a door that deletes one. */
  private static String freshIdentity() {
    try {
      return SecurityTesting.newIdentity(web, gateway, "voip").id();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stores a new session key with a correctly signed request and returns it, for a door that deletes one. */
  private static String storedKey() {
    String key = "pstn:+1555" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999) + ":4711";
    Signed store = new Signed(HttpMethod.POST, "/api/sessions",
        new JsonObject().put("key", key).put("ttlSeconds", 60).encode());
    try {
      HttpResponse<Buffer> response = deliver(send(store, sign(store, KEY, Instant.now())));
      if (response.statusCode() != 201) {
        throw new AssertionError("store: " + response.statusCode() + " " + response.bodyAsString());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return key;
  }

  /** Session keys stored under this test's prefix (the key names are HMAC digests). */
  private static double storedSessionKeys() {
    try {
      return redis.send(Request.cmd(Command.KEYS).arg(prefix + "session:*")).await(10, TimeUnit.SECONDS).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The version of identity B's presence, read with B's own token: it moves only when a write is accepted. */
  private static double presenceVersion() {
    try {
      HttpResponse<Buffer> response = web.get("/api/presence/" + SecurityTesting.encode(identityB))
          .putHeader("Authorization", "Bearer " + tokenB).send().await(10, TimeUnit.SECONDS);
      if (response.statusCode() != 200) {
        throw new AssertionError("presence read: " + response.statusCode() + " " + response.bodyAsString());
      }
      return response.bodyAsJsonObject().getLong("version", 0L);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
