package io.tonegate.presence;

import io.tonegate.identity.TokenScope;
import io.tonegate.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("server-sent events: snapshot, changes, catch-up with since, refused without a token")
class PresenceSseTest {

  @Test
  @DisplayName("a stream gets the subscribed reply, snapshots newer than since, then changes as events")
  void stream() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestGateway gateway = PresenceTesting.gateway(PresenceTesting.newPrefix(),
        new JsonObject().put("debounceWindow", "0ms"))) {
      PresencePublisher publisher = PresenceTesting.module(gateway).publisher();
      String seen = "sse-" + UUID.randomUUID();
      String stale = "sse-" + UUID.randomUUID();
      publisher.set(seen, "manual", new Presence("Away", "Away"), 0).await(10, TimeUnit.SECONDS);
      long staleVersion = publisher.set(stale, "manual", new Presence("Busy", "InACall"), 0)
          .await(10, TimeUnit.SECONDS).version();
      publisher.set(stale, "manual", new Presence("Available", "Available"), 0).await(10, TimeUnit.SECONDS);
      String token = PresenceTesting.newIdentity(vertx, gateway, TokenScope.PRESENCE_READ).token();
      HttpClient client = vertx.createHttpClient(gateway.httpOptions());
      StringBuffer body = new StringBuffer();
      HttpClientRequest request = client.request(HttpMethod.GET,
          "/api/presence/stream?users=" + seen + "," + stale + "&since=" + seen + ":1," + stale + ":" + staleVersion)
          .await(10, TimeUnit.SECONDS);
      request.putHeader("Authorization", "Bearer " + token);
      // The handler is set on the event loop as the response arrives, so no early chunk is missed.
      HttpClientResponse response = request.send().onSuccess(r -> r.handler(chunk -> body.append(chunk.toString())))
          .await(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("content-type")).isEqualTo("text/event-stream");
      await(body, "event: snapshot");
      publisher.set(seen, "manual", new Presence("DoNotDisturb", "Presenting"), 0).await(10, TimeUnit.SECONDS);
      await(body, "\"availability\":\"DoNotDisturb\"");
      String text = body.toString();
      assertThat(text).contains("event: subscribed\ndata: {\"type\":\"subscribed\"");
      assertThat(text).as("only the stale user had changed since").containsOnlyOnce("event: snapshot");
      assertThat(text).contains("\"user\":\"" + stale + "\",\"availability\":\"Available\"");
      assertThat(text).contains("event: presence\ndata: {\"type\":\"presence\",\"user\":\"" + seen + "\"");

      HttpClientRequest anonymous = client.request(HttpMethod.GET, "/api/presence/stream?users=" + seen)
          .await(10, TimeUnit.SECONDS);
      assertThat(anonymous.send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
      client.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void await(StringBuffer body, String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!body.toString().contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(body.toString()).contains(text);
  }
}
