package io.tonegate.gateway;

import io.tonegate.testing.HostileHttp;
import io.tonegate.testing.HostileInputs;
import io.tonegate.testing.LogCapture;
import io.tonegate.testing.RawHttps;
import io.tonegate.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input at the gateway's edge, below and around the feature APIs: every endpoint and unknown path gets the
 * generated bodies, the HTTP parser gets requests no client library would send, WebSocket upgrades get broken
 * handshakes. The contract: a clear 4xx (JSON error body) or a closed connection, never a 5xx, never a hang, and the
 * gateway serves normally afterwards. Feature APIs have their own hostile-input tests built on the same generator.
 */
@DisplayName("hostile input at the gateway edge")
class HostileInputTest {

  private static final int MAX_BODY = 65_536;
  private static final int WAIT_MS = 5_000;

  private static TestGateway gateway;
  private static Vertx vertx;
  private static WebClient client;
  private static RawHttps raw;

  @BeforeAll
  static void start() {
    // A short idle timeout: input that leaves the parser waiting (junk without a line end) is closed within the wait.
    gateway = TestGateway.start(new JsonObject().put("http", new JsonObject().put("idleTimeout", "2s")));
    vertx = Vertx.vertx();
    client = gateway.webClient(vertx);
    raw = RawHttps.to(gateway);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    gateway.close();
  }

  @Test
  @DisplayName("generated malformed, truncated, oversize and type-confused bodies on every operational path and unknown paths: 4xx JSON or 2xx, never 5xx or a hang")
  void generatedBodies() {
    HostileInputs inputs = HostileInputs.fromSystemProperty();
    JsonObject example = new JsonObject().put("id", "x").put("n", 1).put("list", new io.vertx.core.json.JsonArray()
        .add("a").add(new JsonObject().put("b", true)));
    List<HostileInputs.Case> cases = inputs.jsonCases(example, 120, MAX_BODY);
    long heapBefore = HostileHttp.usedHeapMib();
    LogCapture log = new LogCapture();
    for (String path : List.of("/health", "/ready", "/metrics", "/no/such/path", "/.well-known/jwks.json")) {
      for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT)) {
        HostileHttp.Report report = HostileHttp.send(client, method, path, cases, HostileHttp.Authenticator.NONE);
        System.out.println("[hostile] " + report.summary());
        report.assertClean(inputs.seed());
      }
    }
    long heapAfter = HostileHttp.usedHeapMib();
    System.out.printf("[hostile] heap after GC: %d MiB before, %d MiB after %d requests%n", heapBefore, heapAfter,
        cases.size() * 10);
    assertThat(heapAfter - heapBefore).as("retained heap (MiB)").isLessThan(64);
    log.close();
    assertThat(log.errors()).as("errors logged for client input").isEmpty();
    assertHealthy();
  }

  @Test
  @DisplayName("after each kind of refusal (400, 404, 413, 414, 431) the next request on the same pooled client succeeds")
  void refusalsKeepClientsWorking() throws Exception {
    Map<String, java.util.function.Supplier<io.vertx.core.Future<?>>> refusals = new LinkedHashMap<>();
    refusals.put("413 body", () -> client.post("/api/events").sendBuffer(io.vertx.core.buffer.Buffer.buffer(
        new byte[MAX_BODY + 1])));
    refusals.put("431 header", () -> client.get("/health").putHeader("X-Big", "a".repeat(20_000)).send());
    refusals.put("414 uri", () -> client.get("/" + "a".repeat(10_000)).send());
    refusals.put("400 escape", () -> client.get("/%zz").send());
    refusals.put("404 path", () -> client.post("/nope").sendBuffer(io.vertx.core.buffer.Buffer.buffer("{")));
    List<String> broken = new ArrayList<>();
    for (Map.Entry<String, java.util.function.Supplier<io.vertx.core.Future<?>>> refusal : refusals.entrySet()) {
      for (int i = 0; i < 10; i++) {
        try {
          refusal.getValue().get().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // the refusal itself may end with a closed connection; what matters is the next request
        }
        try {
          client.get("/health").send().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          broken.add(refusal.getKey() + " #" + i + ": " + e);
        }
      }
    }
    assertThat(broken).as("requests that failed right after a refusal").isEmpty();
  }

  @Test
  @DisplayName("hostile paths and query strings (NUL, traversal, encodings, 10 KB paths) get 4xx or 404 JSON, never 5xx")
  void hostilePaths() throws Exception {
    List<String> paths = new ArrayList<>(List.of("/%00", "/..%2f..%2fetc%2fpasswd", "/health/../ready", "/%", "/%zz",
        "/health?%", "/health?a=%00&b=%ff", "/identities/%2e%2e", "/identities/" + "a".repeat(3000),
        "/api/events?code=" + "%41".repeat(1000), "//health", "/health;jsessionid=x", "/ready#frag",
        "/%e2%80%ae", "/\u00e9"));
    LogCapture log = new LogCapture();
    for (String path : paths) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS)) {
        String target = path.replace("\u00e9", "%C3%A9");
        RawHttps.Answer answer = raw.exchange(method.name() + " " + target + " HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Length: 0\r\n\r\n", false, WAIT_MS);
        assertThat(answer.timedOut()).as("%s %s hung", method, path).isFalse();
        assertThat(answer.status()).as("%s %s -> %s", method, path, answer.head()).isBetween(200, 499);
        if (answer.status() >= 400) {
          assertThat(answer.head().toLowerCase()).as("%s %s error body", method, path)
              .contains("content-type: application/json");
        }
      }
    }
    log.close();
    assertThat(log.errors()).as("errors logged for client input").isEmpty();
    RawHttps.Answer longUri = raw.exchange("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
        false, WAIT_MS);
    assertThat(longUri.refusedOrClosed()).as("10 KB request line: %s", longUri).isTrue();
    assertHealthy();
  }

  @Test
  @DisplayName("requests no HTTP client would send (broken request lines, smuggling headers, header bombs, bad chunking) are refused or closed, never 5xx, never hung")
  void rawProtocolAbuse() throws Exception {
    String host = "Host: localhost\r\n";
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put("garbage line", "GARBAGE\r\n\r\n");
    requests.put("unknown version", "GET /health HTTP/9.9\r\n" + host + "\r\n");
    requests.put("header without colon", "GET /health HTTP/1.1\r\n" + host + "Bad Header\r\n\r\n");
    requests.put("64 KB header", "GET /health HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(65_536) + "\r\n\r\n");
    requests.put("2000 headers", "GET /health HTTP/1.1\r\n" + host + "X-H: 1234567890\r\n".repeat(2000) + "\r\n");
    requests.put("negative length", "POST /api/events HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n");
    requests.put("non-numeric length", "POST /api/events HTTP/1.1\r\n" + host + "Content-Length: abc\r\n\r\n");
    requests.put("two lengths", "POST /api/events HTTP/1.1\r\n" + host + "Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}");
    requests.put("length and chunked (smuggling)", "POST /api/events HTTP/1.1\r\n" + host
        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\n" + host + "\r\n");
    requests.put("bad chunk size", "POST /api/events HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n");
    requests.put("huge chunk size", "POST /api/events HTTP/1.1\r\n" + host
        + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n");
    requests.put("chunked over the body limit", "POST /api/events HTTP/1.1\r\n" + host
        + "Transfer-Encoding: chunked\r\n\r\n" + "8000\r\n" + "x".repeat(0x8000) + "\r\n" + "8000\r\n"
        + "x".repeat(0x8000) + "\r\n" + "10\r\n" + "x".repeat(16) + "\r\n0\r\n\r\n");
    requests.put("length over the body limit", "POST /api/events HTTP/1.1\r\n" + host + "Content-Length: 100000000\r\n\r\n");
    requests.put("NUL in header", "GET /health HTTP/1.1\r\n" + host + "X-A: a\u0000b\r\n\r\n");
    requests.put("obs-fold", "GET /health HTTP/1.1\r\n" + host + "X-A: a\r\n b\r\n\r\n");
    requests.put("asterisk target", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n");
    requests.put("CONNECT", "CONNECT localhost:443 HTTP/1.1\r\n" + host + "\r\n");
    requests.put("absolute target", "GET https://evil.example/health HTTP/1.1\r\n" + host + "\r\n");
    requests.put("no Host", "GET /health HTTP/1.1\r\n\r\n");
    requests.put("HTTP/2 preface over HTTP/1.1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    requests.put("lower-case method", "get /health HTTP/1.1\r\n" + host + "\r\n");
    requests.put("TRACE", "TRACE /health HTTP/1.1\r\n" + host + "\r\n");
    requests.put("LF only", "GET /health HTTP/1.1\n" + host.replace("\r", "") + "\n");

    List<String> failures = new ArrayList<>();
    LogCapture log = new LogCapture();
    for (Map.Entry<String, String> request : requests.entrySet()) {
      RawHttps.Answer answer = raw.exchange(request.getValue(), false, WAIT_MS);
      System.out.println("[hostile] raw " + request.getKey() + ": " + answer);
      if (answer.timedOut() || answer.status() >= 500) {
        failures.add(request.getKey() + " -> " + answer);
      } else if (answer.status() >= 400 && !answer.head().toLowerCase().contains("content-type: application/json")) {
        failures.add(request.getKey() + " -> " + answer + " without the JSON error body");
      }
    }
    SplittableRandom random = new SplittableRandom(HostileInputs.fromSystemProperty().seed());
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + random.nextInt(4096)];
      random.nextBytes(junk);
      RawHttps.Answer answer = raw.exchange(junk, false, WAIT_MS);
      if (answer.timedOut() || answer.status() >= 500) {
        failures.add("random bytes #" + i + " -> " + answer);
      }
    }
    log.close();
    assertThat(failures).isEmpty();
    assertThat(log.errors()).as("errors logged for client input").isEmpty();
    assertHealthy();
  }

  @Test
  @DisplayName("a client that stops mid-request and says so (TLS close_notify) is closed at once, not held")
  void abandonedRequests() throws Exception {
    String host = "Host: localhost\r\n";
    List<String> partial = List.of(
        "GET /health HTTP/1.1\r\n" + host,                                       // headers never end
        "POST /api/events HTTP/1.1\r\n" + host + "Content-Length: 100\r\n\r\n{", // body shorter than announced
        "POST /api/events HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n10\r\nabc");
    for (String request : partial) {
      RawHttps.Answer answer = raw.exchange(request, true, WAIT_MS);
      assertThat(answer.timedOut()).as("held after close_notify: %s", request.lines().findFirst().orElseThrow())
          .isFalse();
      assertThat(answer.status()).isLessThan(500);
    }
  }

  @Test
  @DisplayName("broken WebSocket upgrades (unknown path, wrong version, no key, no Connection header) get 4xx, never an open socket")
  void brokenUpgrades() throws Exception {
    assertThat(gateway.upgradeStatus(vertx, "/ws/no-such-endpoint", MultiMap.caseInsensitiveMultiMap()))
        .isEqualTo(404);
    String base = "GET /ws/no-such-endpoint HTTP/1.1\r\nHost: localhost\r\n";
    Map<String, String> upgrades = new LinkedHashMap<>();
    upgrades.put("version 8", base + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    upgrades.put("no key", base + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");
    upgrades.put("bad key", base + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: !!!\r\n\r\n");
    upgrades.put("no Connection header", base + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    upgrades.put("POST upgrade", upgrades.get("bad key").replace("GET ", "POST "));
    upgrades.put("unknown upgrade protocol", base + "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
    for (Map.Entry<String, String> upgrade : upgrades.entrySet()) {
      RawHttps.Answer answer = raw.exchange(upgrade.getValue(), false, WAIT_MS);
      System.out.println("[hostile] upgrade " + upgrade.getKey() + ": " + answer);
      assertThat(answer.refusedOrClosed()).as("%s -> %s", upgrade.getKey(), answer.head()).isTrue();
    }
    assertHealthy();
  }

  private static void assertHealthy() {
    try {
      assertThat(client.get("/health").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(client.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    } catch (Exception e) {
      throw new AssertionError("the gateway no longer serves after hostile input", e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
