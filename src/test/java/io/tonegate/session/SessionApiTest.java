package io.tonegate.session;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmac;
import io.tonegate.identity.AcsHmacSigner;
import io.tonegate.session.SessionApiClient.ApiException;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session API over real HTTPS, with real HMAC signatures and real access tokens, on real Redis. */
class SessionApiTest {

  static final AcsAccessKey KEY = AcsAccessKey.generate(new SecureRandom());
  static final String PREFIX = "sa" + UUID.randomUUID().toString().substring(0, 6) + ":";
  static TestGateway gateway;
  static Vertx vertx;
  static WebClient web;
  static SessionApiClient api;
  static Redis redis;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(new JsonObject()
        .put("accessKey", KEY.toBase64())
        .put("redis", new JsonObject().put("keyPrefix", PREFIX))
        .put("session", new JsonObject().put("maxValueBytes", 256).put("minTtl", "30s").put("maxTtl", "2h")));
    vertx = Vertx.vertx();
    web = gateway.webClient(vertx);
    api = SessionApiClient.withAccessKey(web, URI.create(gateway.baseUrl()), KEY);
    redis = TestRedis.client(vertx); // this run's topology
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  static long storedSessions() throws Exception {
    return await(redis.send(Request.cmd(Command.KEYS).arg(PREFIX + "session:*"))).size();
  }

  /** A Tonegate access token with {@code scopes}, issued by the gateway's identity API. */
  static String token(String... scopes) throws Exception {
    JsonObject body = new JsonObject().put("createTokenWithScopes", new JsonArray(java.util.List.of(scopes)));
    HttpResponse<Buffer> response = await(api.send(HttpMethod.POST, "/identities?api-version=2022-10-01", body));
    return response.bodyAsJsonObject().getJsonObject("accessToken").getString("token");
  }

  @Test
  @DisplayName("an HMAC-signed client stores a key (code masked in the answer), reads it by id or key, deletes it once")
  void lifecycle() throws Exception {
    String ani = "+1555" + (1_000_000 + new SecureRandom().nextInt(8_000_000));
    JsonObject created = await(api.storeKey("pstn:" + ani + ":823",
        new JsonObject().put("who", "alice").put("purpose", "billing"), Duration.ofMinutes(10), false));
    assertThat(created.getString("key")).isEqualTo("pstn:" + ani + ":***");
    assertThat(created.encode()).doesNotContain(":823");
    assertThat(created.getLong("ttlSeconds")).isEqualTo(600);
    String id = created.getString("id");
    assertThat(SessionStore.isId(id)).isTrue();

    JsonObject byId = await(api.get(id));
    assertThat(byId.getJsonObject("value").getString("who")).isEqualTo("alice");
    assertThat(byId.getString("createdBy")).isEqualTo("accessKey");
    assertThat(await(api.get("pstn:" + ani + ":823")).getString("id")).isEqualTo(id);

    await(api.delete(id));
    assertThatThrownBy(() -> await(api.delete(id)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> await(api.get(id)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  @DisplayName("an existing key conflicts (409) unless replace is sent; the default TTL applies when none is given")
  void conflictAndDefaults() throws Exception {
    String key = "sip:" + UUID.randomUUID() + "@sbc.example";
    await(api.send(HttpMethod.POST, "/api/sessions", new JsonObject().put("key", key)));
    Long ttl = await(redis.send(Request.cmd(Command.TTL).arg(PREFIX + "session:" + await(api.get(key))
        .getString("id")))).toLong();
    assertThat(ttl).isBetween(3500L, 3600L);
    assertThatThrownBy(() -> await(api.storeKey(key, new JsonObject(), Duration.ofMinutes(1), false)))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("Conflict");
        });
    await(api.storeKey(key, new JsonObject().put("n", 2), Duration.ofMinutes(1), true));
    assertThat(await(api.get(key)).getJsonObject("value").getInteger("n")).isEqualTo(2);
  }

  @Test
  @DisplayName("bearer tokens need the right scope: write to store and delete, read to read; others get 401/403")
  void bearerScopes() throws Exception {
    SessionApiClient writer = SessionApiClient.withToken(web, URI.create(gateway.baseUrl()), token("sessions.write"));
    SessionApiClient reader = SessionApiClient.withToken(web, URI.create(gateway.baseUrl()), token("sessions.read"));
    SessionApiClient chat = SessionApiClient.withToken(web, URI.create(gateway.baseUrl()), token("chat"));
    SessionApiClient forged = SessionApiClient.withToken(web, URI.create(gateway.baseUrl()), "eyJhbGciOiJub25lIn0.e30.");
    String key = "acs:" + UUID.randomUUID();

    JsonObject created = await(writer.storeKey(key, new JsonObject(), Duration.ofMinutes(5), false));
    assertThat(await(reader.get(created.getString("id"))).getString("createdBy")).startsWith("token:8:acs:");
    assertThatThrownBy(() -> await(writer.get(key)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThatThrownBy(() -> await(reader.delete(key)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThatThrownBy(() -> await(chat.storeKey("acs:" + UUID.randomUUID(), new JsonObject(), Duration.ofMinutes(1),
        false))).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThatThrownBy(() -> await(forged.get(key)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    await(writer.delete(key));
  }

  static Stream<Arguments> badCreates() {
    String big = "x".repeat(300);
    return Stream.of(
        Arguments.of("malformed key", "{\"key\":\"pstn:5551234567:823\"}", 400, "InvalidKey"),
        Arguments.of("unknown family", "{\"key\":\"tel:+15551234567:823\"}", 400, "InvalidKey"),
        Arguments.of("code too short", "{\"key\":\"pstn:+15551234567:82\"}", 400, "InvalidKey"),
        Arguments.of("letters in code", "{\"key\":\"pstn:+15551234567:8a3\"}", 400, "InvalidKey"),
        Arguments.of("bad SIP Call-ID", "{\"key\":\"sip:a b\"}", 400, "InvalidKey"),
        Arguments.of("overlong key", "{\"key\":\"sip:" + "a".repeat(400) + "\"}", 400, "InvalidKey"),
        Arguments.of("key not a string", "{\"key\":42}", 400, "InvalidKey"),
        Arguments.of("no key", "{\"value\":{}}", 400, "InvalidKey"),
        Arguments.of("oversize value", "{\"key\":\"acs:big\",\"value\":{\"who\":\"" + big + "\"}}", 413,
            "ValueTooLarge"),
        Arguments.of("value not an object", "{\"key\":\"acs:v\",\"value\":\"alice\"}", 400, "InvalidValue"),
        Arguments.of("TTL below bounds", "{\"key\":\"acs:t1\",\"ttlSeconds\":29}", 400, "InvalidTtl"),
        Arguments.of("TTL above bounds", "{\"key\":\"acs:t2\",\"ttlSeconds\":7201}", 400, "InvalidTtl"),
        Arguments.of("TTL not whole", "{\"key\":\"acs:t3\",\"ttlSeconds\":60.5}", 400, "InvalidTtl"),
        Arguments.of("TTL a string", "{\"key\":\"acs:t4\",\"ttlSeconds\":\"60\"}", 400, "InvalidTtl"),
        Arguments.of("replace not a boolean", "{\"key\":\"acs:r\",\"replace\":\"yes\"}", 400, "InvalidReplace"),
        Arguments.of("unknown field", "{\"key\":\"acs:u\",\"ttl\":60}", 400, "UnknownField"),
        Arguments.of("array body", "[\"acs:a\"]", 400, "InvalidBody"),
        Arguments.of("not JSON", "key=acs:a", 400, "InvalidBody"),
        Arguments.of("empty body", "", 400, "InvalidBody"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCreates")
  @DisplayName("bad input on POST /api/sessions is a 4xx JSON error and stores nothing")
  void badInput(String name, String body, int status, String code) throws Exception {
    long before = storedSessions();
    HttpResponse<Buffer> response = signed(HttpMethod.POST, "/api/sessions", body, KEY, body);
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).startsWith("application/json");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo(code);
    assertThat(response.bodyAsString()).doesNotContain("823").doesNotContain("Exception");
    assertThat(storedSessions()).isEqualTo(before);
  }

  @Test
  @DisplayName("bad signatures (wrong key, body changed after signing, none at all) are 401 and store nothing")
  void badSignatures() throws Exception {
    long before = storedSessions();
    String body = "{\"key\":\"pstn:+15550001111:823\"}";
    HttpResponse<Buffer> wrongKey = signed(HttpMethod.POST, "/api/sessions", body,
        AcsAccessKey.generate(new SecureRandom()), body);
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(wrongKey.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("Denied");
    HttpResponse<Buffer> tampered = signed(HttpMethod.POST, "/api/sessions", body, KEY,
        "{\"key\":\"pstn:+15550001111:999\"}");
    assertThat(tampered.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> unsigned = await(web.post("/api/sessions").sendBuffer(Buffer.buffer(body)));
    assertThat(unsigned.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> oldSignature = await(signedAt(Instant.now().minus(Duration.ofMinutes(20)), body));
    assertThat(oldSignature.statusCode()).isEqualTo(401);
    assertThat(storedSessions()).isEqualTo(before);
  }

  @Test
  @DisplayName("a malformed reference on GET/DELETE is a 400; refusals are counted by reason")
  void badReferencesAndMetrics() throws Exception {
    assertThatThrownBy(() -> await(api.get("not-a-key")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    String metrics = await(web.get("/metrics").send()).bodyAsString();
    assertThat(metrics).contains("tonegate_session_api_rejections_total{reason=\"unknown_type\"}");
  }

  static HttpResponse<Buffer> signed(HttpMethod method, String uri, String signedBody, AcsAccessKey key,
                                     String sentBody) throws Exception {
    byte[] signedBytes = signedBody.getBytes(StandardCharsets.UTF_8);
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(key, Clock.systemUTC())
        .sign(method.name(), uri, "localhost", AcsHmac.contentHash(signedBytes), Instant.now());
    HttpRequest<Buffer> request = web.request(method, uri);
    h.asMap().forEach(request::putHeader);
    return await(request.sendBuffer(Buffer.buffer(sentBody.getBytes(StandardCharsets.UTF_8))));
  }

  static Future<HttpResponse<Buffer>> signedAt(Instant date, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    AcsHmacSigner.AcsHmacHeaders h = new AcsHmacSigner(KEY, Clock.systemUTC())
        .sign("POST", "/api/sessions", "localhost", AcsHmac.contentHash(bytes), date);
    HttpRequest<Buffer> request = web.post("/api/sessions");
    h.asMap().forEach(request::putHeader);
    return request.sendBuffer(Buffer.buffer(bytes));
  }
}
