package io.tonegate.calls;

import io.tonegate.identity.AcsAccessKey;
import io.tonegate.simulator.acs.AcsEmulator;
import io.tonegate.simulator.acs.EmulatedCall;
import io.tonegate.testing.TestGateway;
import io.tonegate.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Redis;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real gateway wired to a real {@link AcsEmulator}: the gateway answers through the emulator (HMAC-signed), the
 * emulator posts callbacks (RS256 JWT from its own JWKS) and Event Grid deliveries (secret parameter) to the
 * gateway over HTTPS. Records every {@link CallEventListener} call.
 */
final class CallsTestbed implements AutoCloseable {

  static final String EVENT_GRID_SECRET = "eg-secret-" + UUID.randomUUID();
  static final String SERVED_NUMBER = "+18005550100";

  final Vertx vertx;
  final AcsEmulator acs;
  final TestGateway gateway;
  final Redis redis;
  final CallStore store;
  final List<String> events = new CopyOnWriteArrayList<>();
  /** The {@code calls} section the gateway runs with (a second gateway can join with it). */
  final JsonObject callsConfig;

  private CallsTestbed(Vertx vertx, AcsEmulator acs, TestGateway gateway, JsonObject callsConfig) {
    this.vertx = vertx;
    this.callsConfig = callsConfig;
    this.acs = acs;
    this.gateway = gateway;
    this.redis = Redis.createClient(vertx, TestRedis.shared().url());
    this.store = new CallStore(redis, "tg:");
    control().addListener(new CallEventListener() {
      @Override
      public void onCallConnected(String id) {
        events.add("connected:" + id);
      }

      @Override
      public void onCallDisconnected(String id) {
        events.add("disconnected:" + id);
      }

      @Override
      public void onTone(String id, char digit, int sequenceId) {
        events.add("tone:" + id + ":" + digit + ":" + sequenceId);
      }

      @Override
      public void onMediaStreaming(String id, String eventName, String status, String details) {
        events.add("media:" + id + ":" + eventName);
      }
    });
  }

  static CallsTestbed start() throws Exception {
    return start(new JsonObject());
  }

  /** {@code callsOverrides} merge into the testbed's {@code calls} section. */
  static CallsTestbed start(JsonObject callsOverrides) throws Exception {
    return startWith(acs -> callsOverrides);
  }

  /** As {@link #start(JsonObject)}, with overrides that depend on the emulator (its URLs). */
  static CallsTestbed startWith(java.util.function.Function<AcsEmulator, JsonObject> callsOverrides)
      throws Exception {
    return startWith(callsOverrides, acs -> new JsonObject());
  }

  /** As above, plus overrides of other sections (e.g. {@code media}). */
  static CallsTestbed startWith(java.util.function.Function<AcsEmulator, JsonObject> callsOverrides,
                                java.util.function.Function<AcsEmulator, JsonObject> otherOverrides)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    String resourceId = UUID.randomUUID().toString();
    AcsEmulator acs = AcsEmulator.start(vertx, new AcsEmulator.Options(AcsAccessKey.generate(new SecureRandom()),
        resourceId, EVENT_GRID_SECRET, null)).await(10, TimeUnit.SECONDS);
    JsonObject calls = new JsonObject()
        .put("acs", new JsonObject()
            .put("connectionString", acs.connectionString())
            .put("requestTimeout", "2s")
            .put("retryBaseDelay", "10ms")
            .put("retryMaxDelay", "1500ms")
            .put("circuitBreaker", new JsonObject().put("failureThreshold", 3).put("openDuration", "1s")))
        .put("eventGrid", new JsonObject().put("secret", EVENT_GRID_SECRET))
        .put("incoming", new JsonObject().put("serve", new JsonArray().add(SERVED_NUMBER).add("8:acs:served-*")))
        .put("callbacks", new JsonObject().put("audiences", new JsonArray().add(resourceId))
            .put("jwksUrl", acs.jwksUrl()));
    calls.mergeIn(callsOverrides.apply(acs), true);
    TestGateway gateway = TestGateway.start(otherOverrides.apply(acs).copy().put("calls", calls));
    acs.targetGateway(gateway.baseUrl(), new WebClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(gateway.certPath().toString())));
    return new CallsTestbed(vertx, acs, gateway, calls);
  }

  CallControl control() {
    return gateway.gateway().module(CallsModule.class).orElseThrow().control();
  }

  /** Answer requests the emulator received. */
  long answerRequests() {
    return acs.requests().stream().filter(r -> r.path().endsWith(":answer")).count();
  }

  /** The newest call the emulator knows whose correlation id is {@code correlationId}. */
  Optional<EmulatedCall> callByCorrelation(String correlationId) {
    return acs.calls().stream().filter(c -> c.correlationId().equals(correlationId)).findFirst();
  }

  Optional<CallRecord> record(String callConnectionId) {
    try {
      return store.findCall(callConnectionId).await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  double counter(String name, String... tags) {
    var search = gateway.gateway().context().registry().find(name).tags(tags);
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws Exception {
    acs.close();
    gateway.close();
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
