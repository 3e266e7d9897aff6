package io.tonegate.presence;

import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("presence fan-out across two gateway instances on one Redis")
class PresenceFanoutTest {

  private static final String[] STATES = {"Available/Available", "Busy/InACall", "Away/Away", "DoNotDisturb/Presenting"};

  private static Vertx vertx;
  private static TestGateway a;
  private static TestGateway b;
  private static WebClient httpA;
  private static WebClient httpB;
  private static String readToken;
  private final List<PresenceClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    String prefix = PresenceTesting.newPrefix();
    JsonObject presence = new JsonObject().put("debounceWindow", "0ms");
    a = PresenceTesting.gateway(prefix, presence);
    b = PresenceTesting.gateway(prefix, presence);
    vertx = Vertx.vertx();
    httpA = a.webClient(vertx);
    httpB = b.webClient(vertx);
    try {
      readToken = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ).token();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    a.close();
    b.close();
  }

  @AfterEach
  void closeClients() throws Exception {
    for (PresenceClient client : clients) {
      client.close();
    }
  }

  private PresenceClient subscriber(TestGateway gateway, String group, String... users) throws Exception {
    PresenceClient client = PresenceClient.connect(vertx, gateway, readToken, group);
    clients.add(client);
    JsonObject reply = client.subscribe(List.of(users), Map.of());
    assertThat(reply.getJsonArray("users")).containsExactly((Object[]) users);
    for (String user : users) {
      client.await(f -> "snapshot".equals(f.getString("type")) && user.equals(f.getString("user")));
    }
    return client;
  }

  /** PUT /api/presence/{user} signed with the service key (HMAC). */
  static Future<JsonObject> put(WebClient http, TestGateway gateway, String user, String state) {
    String[] parts = state.split("/");
    String body = new JsonObject().put("availability", parts[0]).put("activity", parts[1]).encode();
    String path = "/api/presence/" + user;
    return PresenceTesting.signed(http.put(path), "PUT", path, body, gateway)
        .sendBuffer(Buffer.buffer(body))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          return response.bodyAsJsonObject();
        });
  }

  static String user() {
    return "u-" + UUID.randomUUID();
  }

  @Test
  @DisplayName("a change made on one instance reaches subscribers on both instances exactly once, in version order")
  void exactlyOnceInOrder() throws Exception {
    String user = user();
    List<PresenceClient> subs = List.of(subscriber(a, null, user), subscriber(a, null, user),
        subscriber(b, null, user), subscriber(b, null, user));
    for (int i = 0; i < 40; i++) {
      put(i % 2 == 0 ? httpA : httpB, i % 2 == 0 ? a : b, user, STATES[i % STATES.length]).await(10, TimeUnit.SECONDS);
    }
    for (PresenceClient sub : subs) {
      sub.awaitChange(user, 40);
      assertThat(sub.changeVersions(user)).containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    }
  }

  @Test
  @DisplayName("setting an unchanged presence publishes nothing")
  void unchangedNotPublished() throws Exception {
    String user = user();
    PresenceClient sub = subscriber(b, null, user);
    assertThat(put(httpA, a, user, "Busy/InACall").await(10, TimeUnit.SECONDS).getString("outcome")).isEqualTo("published");
    assertThat(put(httpA, a, user, "Busy/InACall").await(10, TimeUnit.SECONDS).getString("outcome")).isEqualTo("unchanged");
    assertThat(put(httpB, b, user, "Busy/InACall").await(10, TimeUnit.SECONDS).getString("outcome")).isEqualTo("unchanged");
    put(httpA, a, user, "Away/Away").await(10, TimeUnit.SECONDS); // a marker: everything before it has arrived
    sub.awaitChange(user, 2);
    assertThat(sub.changeVersions(user)).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("the same change sent concurrently to both instances is published once")
  void concurrentIdenticalOnce() throws Exception {
    String user = user();
    PresenceClient onA = subscriber(a, null, user);
    PresenceClient onB = subscriber(b, null, user);
    List<Future<JsonObject>> racing = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      racing.add(put(i % 2 == 0 ? httpA : httpB, i % 2 == 0 ? a : b, user, "DoNotDisturb/Presenting"));
    }
    Future.all(racing).await(20, TimeUnit.SECONDS);
    assertThat(racing.stream().filter(f -> "published".equals(f.result().getString("outcome"))).count()).isEqualTo(1);
    put(httpB, b, user, "Available/Available").await(10, TimeUnit.SECONDS);
    for (PresenceClient sub : List.of(onA, onB)) {
      sub.awaitChange(user, 2);
      assertThat(sub.changeVersions(user)).containsExactly(1L, 2L);
    }
  }

  @Test
  @DisplayName("a subscription group gets each change once across its members on both instances; others get all")
  void groupOncePerGroup() throws Exception {
    String user = user();
    String group = "desk-" + UUID.randomUUID().toString().substring(0, 6);
    List<PresenceClient> members = List.of(subscriber(a, group, user), subscriber(a, group, user),
        subscriber(b, group, user), subscriber(b, group, user));
    PresenceClient plain = subscriber(b, null, user);
    int changes = 30;
    for (int i = 0; i < changes; i++) {
      put(i % 2 == 0 ? httpA : httpB, i % 2 == 0 ? a : b, user, STATES[i % STATES.length]).await(10, TimeUnit.SECONDS);
    }
    plain.awaitChange(user, changes);
    assertThat(plain.changeVersions(user)).hasSize(changes);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    List<Long> union = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      union.clear();
      members.forEach(m -> union.addAll(m.changeVersions(user)));
      if (union.size() >= changes) { // every change delivered (claims resolve in any order across instances)
        break;
      }
      Thread.sleep(10);
    }
    assertThat(union).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, changes).boxed().toList());
  }

  @Test
  @DisplayName("a subscriber that reconnects with its last versions gets only what changed meanwhile")
  void reconnectCatchUp() throws Exception {
    String changed = user();
    String unchanged = user();
    put(httpA, a, changed, "Available/Available").await(10, TimeUnit.SECONDS);
    put(httpA, a, unchanged, "Busy/InACall").await(10, TimeUnit.SECONDS);
    PresenceClient first = subscriber(a, null, changed, unchanged);
    long changedVersion = first.ofType("snapshot").stream().filter(f -> changed.equals(f.getString("user")))
        .findFirst().orElseThrow().getLong("version");
    long unchangedVersion = first.ofType("snapshot").stream().filter(f -> unchanged.equals(f.getString("user")))
        .findFirst().orElseThrow().getLong("version");
    first.close();
    put(httpB, b, changed, "Away/Away").await(10, TimeUnit.SECONDS);
    put(httpB, b, changed, "DoNotDisturb/Presenting").await(10, TimeUnit.SECONDS);

    PresenceClient again = PresenceClient.connect(vertx, b, readToken, null);
    clients.add(again);
    again.subscribe(List.of(changed, unchanged), Map.of(changed, changedVersion, unchanged, unchangedVersion));
    JsonObject snapshot = again.await(f -> "snapshot".equals(f.getString("type")));
    assertThat(snapshot.getString("user")).isEqualTo(changed);
    assertThat(snapshot.getLong("version")).isEqualTo(changedVersion + 2);
    assertThat(snapshot.getString("availability")).isEqualTo("DoNotDisturb");
    put(httpA, a, unchanged, "Available/Available").await(10, TimeUnit.SECONDS);
    again.awaitChange(unchanged, unchangedVersion + 1);
    assertThat(again.ofType("snapshot")).hasSize(1);
  }

  @Test
  @DisplayName("missing, malformed, wrong-scope and revoked tokens are refused at the upgrade")
  void refusedTokens() throws Exception {
    PresenceTesting.Identity revokedIdentity = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_READ);
    String revoked = revokedIdentity.token();
    assertThat(b.upgradeStatus(vertx, PresenceWebSocketEndpoint.PATH, bearer(revoked))).isEqualTo(101);
    PresenceTesting.revoke(vertx, b, revokedIdentity.id());
    String writeOnly = PresenceTesting.newIdentity(vertx, b, TokenScope.PRESENCE_WRITE).token();
    assertThat(a.upgradeStatus(vertx, PresenceWebSocketEndpoint.PATH, MultiMap.caseInsensitiveMultiMap())).isEqualTo(401);
    assertThat(a.upgradeStatus(vertx, PresenceWebSocketEndpoint.PATH, bearer("not-a-jwt"))).isEqualTo(401);
    assertThat(a.upgradeStatus(vertx, PresenceWebSocketEndpoint.PATH, bearer(revoked))).isEqualTo(401);
    assertThat(b.upgradeStatus(vertx, PresenceWebSocketEndpoint.PATH, bearer(writeOnly))).isEqualTo(403);
    assertThat(b.upgradeStatus(vertx, PresenceWebSocketEndpoint.PATH, bearer(readToken))).isEqualTo(101);
  }

  @Test
  @DisplayName("PUT: a presence.write token sets only its own identity; unsigned or tampered requests are refused")
  void putAuthorization() throws Exception {
    PresenceTesting.Identity me = PresenceTesting.newIdentity(vertx, a, TokenScope.PRESENCE_WRITE);
    String writeToken = me.token();
    String body = new JsonObject().put("availability", "Busy").put("activity", "InAMeeting")
        .put("expirationDuration", "PT1H").encode();
    HttpResponse<Buffer> own = httpA.put("/api/presence/" + me.id()).bearerTokenAuthentication(writeToken)
        .sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.bodyAsJsonObject().getLong("expiresAt")).isGreaterThan(System.currentTimeMillis());
    HttpResponse<Buffer> other = httpA.put("/api/presence/" + user()).bearerTokenAuthentication(writeToken)
        .sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
    assertThat(other.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> readOnly = httpA.put("/api/presence/" + me.id()).bearerTokenAuthentication(readToken)
        .sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
    assertThat(readOnly.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> none = httpA.put("/api/presence/" + me.id()).sendBuffer(Buffer.buffer(body))
        .await(10, TimeUnit.SECONDS);
    assertThat(none.statusCode()).isEqualTo(401);
    String path = "/api/presence/" + me.id();
    HttpResponse<Buffer> tampered = PresenceTesting.signed(httpA.put(path), "PUT", path, body, a)
        .sendBuffer(Buffer.buffer(body.replace("Busy", "Away"))).await(10, TimeUnit.SECONDS);
    assertThat(tampered.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> bad = PresenceTesting.signed(httpA.put(path), "PUT", path, "{\"availability\":\"Sleepy\"}", a)
        .sendBuffer(Buffer.buffer("{\"availability\":\"Sleepy\"}")).await(10, TimeUnit.SECONDS);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("BadRequest");
  }

  private static MultiMap bearer(String token) {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
  }
}
