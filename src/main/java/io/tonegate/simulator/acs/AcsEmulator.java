package io.tonegate.simulator.acs;

import io.tonegate.auth.JwkSet;
import io.tonegate.auth.JwsAlgorithm;
import io.tonegate.auth.JwtSigner;
import io.tonegate.identity.AcsAccessKey;
import io.tonegate.identity.AcsHmacVerifier;
import io.tonegate.identity.HmacRequest;
import io.tonegate.identity.HmacVerification;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Azure Communication Services, for tests and demos (ACS cannot be reached from here). It follows
 * acs-wire.md:
 * <ul>
 *   <li>an HTTP server that verifies every Call Automation request's HMAC-SHA256 signature as ACS does
 *       ({@link AcsHmacVerifier}: 401 {@code {"error":{"code":"Denied",...}}} otherwise) and answers answer, create,
 *       hang up, terminate, start/stop media streaming and start continuous DTMF recognition with the documented
 *       statuses and bodies (§3);</li>
 *   <li>after answering (or creating) a call: the CallConnected callback, then the media WebSocket to the
 *       {@code transportUrl} (through a {@link MediaStreamOpener}) and MediaStreamingStarted;</li>
 *   <li>callbacks as CloudEvent arrays, each with its own RS256 JWT ({@code iss}
 *       {@code https://acscallautomation.communication.azure.com}, {@code aud} the resource id, 5 minutes), keys
 *       published at {@code /calling/keys} and {@code /calling/.well-known/acsopenidconfiguration};</li>
 *   <li>Event Grid deliveries of IncomingCall (EventGridEvent or CloudEvents schema) and the validation handshakes.</li>
 * </ul>
 * Faults for tests: {@link #failNext} queues error responses (e.g. 429 with Retry-After), {@link #setDown} makes
 * every Call Automation request fail with 503.
 */
public final class AcsEmulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AcsEmulator.class);
  /** The issuer ACS puts in callback and media JWTs (acs-wire.md §1.1, §3.7). */
  public static final String ACS_ISSUER = "https://acscallautomation.communication.azure.com";
  /** Callback tokens live 5 minutes (acs-wire.md §3.7). */
  public static final Duration CALLBACK_TOKEN_LIFETIME = Duration.ofMinutes(5);

  /** Opens the media WebSocket ACS would open to the gateway after answering; the media simulator implements it. */
  @FunctionalInterface
  public interface MediaStreamOpener {
    /**
     * @param call the call (its callConnectionId, correlationId, transportUrl, media options)
     * @param headers the upgrade headers ACS sends: {@code x-ms-call-correlation-id},
     *     {@code x-ms-call-connection-id}, {@code Authorization: Bearer <ACS media JWT>}
     */
    Future<Void> open(EmulatedCall call, MultiMap headers);
  }

  /** A recorded Call Automation request (after signature verification). */
  public record RecordedRequest(String method, String path, JsonObject body, boolean signatureValid,
                                MultiMap headers) {
  }

  /** A canned failure: answer {@code status} with an optional {@code Retry-After} (seconds). */
  public record Fault(int status, Optional<String> retryAfter) {
  }

  /**
   * @param accessKey the resource's access key (the gateway's connection string uses it)
   * @param resourceId the immutable resource id: the {@code aud} of callback and media tokens
   * @param eventGridSecret the secret query parameter value for deliveries, empty for none
   * @param mediaOpener how to open media streams; {@code null}: no media stream (callbacks only)
   */
  public record Options(AcsAccessKey accessKey, String resourceId, String eventGridSecret,
                        MediaStreamOpener mediaOpener) {
  }

  private final Vertx vertx;
  private final Options options;
  private final AcsHmacVerifier verifier;
  private final KeyPair signingKey;
  private final String kid;
  private final Map<String, EmulatedCall> calls = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> incomingContexts = new ConcurrentHashMap<>();
  private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<JsonObject> callbacksSent = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Fault> faults = new ArrayDeque<>();
  private volatile boolean down;
  private volatile MediaStreamOpener mediaOpener;
  private HttpServer server;
  private volatile String gatewayBaseUrl = "";
  // Kept for the emulator's life: Vert.x 5 closes clients that are garbage-collected.
  private volatile WebClient client;

  private AcsEmulator(Vertx vertx, Options options, KeyPair signingKey) {
    this.vertx = vertx;
    this.options = options;
    this.verifier = new AcsHmacVerifier(List.of(options.accessKey()), AcsHmacVerifier.DEFAULT_MAX_CLOCK_SKEW,
        List.of(), Clock.systemUTC());
    this.signingKey = signingKey;
    this.kid = "acs-emulator-" + Integer.toHexString(java.util.Arrays.hashCode(signingKey.getPublic().getEncoded()));
    this.client = WebClient.create(vertx);
    this.mediaOpener = options.mediaOpener();
  }

  /** How media streams are opened after answering ({@code null}: none, MediaStreamingStarted is still reported). */
  public AcsEmulator setMediaOpener(MediaStreamOpener opener) {
    this.mediaOpener = opener;
    return this;
  }

  /**
   * Points the emulator at a gateway: Event Grid deliveries go to {@code <baseUrl>/api/events}; callbacks go to the
   * callbackUri each call was answered with. {@code clientOptions} carry the TLS trust for the gateway.
   */
  public AcsEmulator targetGateway(String baseUrl, WebClientOptions clientOptions) {
    WebClient previous = client;
    this.gatewayBaseUrl = baseUrl;
    this.client = WebClient.create(vertx, clientOptions);
    previous.close();
    return this;
  }

  /** Starts the emulator on a free loopback port with a fresh RS256 signing key. */
  public static Future<AcsEmulator> start(Vertx vertx, Options options) {
    return start(vertx, options, 0, newSigningKey());
  }

  /** A fresh 2048-bit RSA key pair for callback and media tokens. */
  public static KeyPair newSigningKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, new SecureRandom());
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts the emulator on {@code port} of 127.0.0.1 (0: a free one), signing tokens with {@code signingKey} (a
   * demo keeps it across runs, so a gateway that cached the JWKS keeps trusting it).
   */
  public static Future<AcsEmulator> start(Vertx vertx, Options options, int port, KeyPair signingKey) {
    AcsEmulator emulator = new AcsEmulator(vertx, options, signingKey);
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(1024 * 1024));
    router.get("/calling/keys").handler(emulator::keys);
    router.get("/calling/.well-known/acsopenidconfiguration").handler(emulator::openIdConfiguration);
    router.route("/calling/*").handler(emulator::callAutomation);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(router)
        .listen()
        .map(server -> {
          emulator.server = server;
          LOG.info("ACS emulator listening on {}", emulator.endpoint());
          return emulator;
        });
  }

  public int port() {
    return server.actualPort();
  }

  /** The resource endpoint, {@code http://127.0.0.1:<port>/}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port() + "/";
  }

  /** The connection string the gateway uses ({@code calls.acs.connectionString}). */
  public String connectionString() {
    return "endpoint=" + endpoint() + ";accesskey=" + options.accessKey().toBase64();
  }

  /** Where the gateway fetches the callback keys ({@code calls.callbacks.jwksUrl}). */
  public String jwksUrl() {
    return endpoint() + "calling/keys";
  }

  public String resourceId() {
    return options.resourceId();
  }

  /** Call Automation requests received so far, in order. */
  public List<RecordedRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Callback events posted so far (each a CloudEvent). */
  public List<JsonObject> callbacksSent() {
    synchronized (callbacksSent) {
      return List.copyOf(callbacksSent);
    }
  }

  /** Every call the emulator has answered or created, newest last is not guaranteed. */
  public List<EmulatedCall> calls() {
    return List.copyOf(calls.values());
  }

  public Optional<EmulatedCall> call(String callConnectionId) {
    return Optional.ofNullable(calls.get(callConnectionId));
  }

  /** The next Call Automation requests get these failures, in order, instead of being executed. */
  public synchronized void failNext(Fault... next) {
    faults.addAll(List.of(next));
  }

  /** While down, every Call Automation request answers 503 (ACS unavailable). */
  public void setDown(boolean down) {
    this.down = down;
  }

  /** An RS256 token as ACS signs callbacks and media connections: iss ACS, aud the resource id. */
  public String mintToken(Duration lifetime) {
    Instant now = Instant.now();
    return mintToken(new JsonObject()
        .put("iss", ACS_ISSUER)
        .put("aud", options.resourceId())
        .put("iat", now.getEpochSecond())
        .put("nbf", now.getEpochSecond())
        .put("exp", now.plus(lifetime).getEpochSecond()));
  }

  /** A token with exactly these claims, signed with the emulator's published key (tests forge claims with it). */
  public String mintToken(JsonObject claims) {
    return JwtSigner.sign(JwsAlgorithm.RS256, kid, signingKey.getPrivate(), claims);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Event Grid side

  /** An IncomingCall to deliver: {@code from}/{@code to} raw ids or E.164 numbers, optional SIP headers. */
  public record IncomingCallSpec(String from, String to, Map<String, String> sipHeaders) {
    public static IncomingCallSpec pstn(String fromE164, String toE164) {
      return new IncomingCallSpec(fromE164, toE164, Map.of());
    }
  }

  /** Builds an IncomingCall event (EventGridEvent schema) with a fresh id and incomingCallContext. */
  public JsonObject incomingCallEvent(IncomingCallSpec spec) {
    JsonObject from = identifierModel(spec.from());
    JsonObject to = identifierModel(spec.to());
    String correlationId = UUID.randomUUID().toString();
    String serverCallId = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(("emulated-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
    // Opaque to apps: an unsigned JWT-looking string, as in the docs' example (acs-wire.md §2.1).
    String context = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"
        .getBytes(StandardCharsets.UTF_8)) + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        new JsonObject().put("cc", UUID.randomUUID().toString()).encode().getBytes(StandardCharsets.UTF_8)) + ".";
    JsonObject data = new JsonObject()
        .put("to", to)
        .put("from", from)
        .put("serverCallId", serverCallId)
        .put("callerDisplayName", "")
        .put("incomingCallContext", context)
        .put("correlationId", correlationId);
    if (!spec.sipHeaders().isEmpty()) {
      JsonObject headers = new JsonObject();
      spec.sipHeaders().forEach(headers::put);
      data.put("customContext", new JsonObject().put("sipHeaders", headers).put("voipHeaders", new JsonObject()));
    }
    incomingContexts.put(context, new JsonObject().put("from", from).put("to", to)
        .put("correlationId", correlationId).put("serverCallId", serverCallId));
    return new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("topic", "/subscriptions/emulated/resourcegroups/emulated/providers/microsoft.communication/"
            + "communicationservices/emulated")
        .put("subject", "/caller/" + from.getString("rawId") + "/recipient/" + to.getString("rawId"))
        .put("data", data)
        .put("eventType", "Microsoft.Communication.IncomingCall")
        .put("dataVersion", "1.0")
        .put("metadataVersion", "1")
        .put("eventTime", Instant.now().toString());
  }

  /** The same event in the CloudEvents 1.0 schema (acs-wire.md §2.3). */
  public static JsonObject toCloudEvent(JsonObject eventGridEvent) {
    return new JsonObject()
        .put("id", eventGridEvent.getString("id"))
        .put("source", eventGridEvent.getString("topic"))
        .put("specversion", "1.0")
        .put("type", eventGridEvent.getString("eventType"))
        .put("subject", eventGridEvent.getString("subject"))
        .put("time", eventGridEvent.getString("eventTime"))
        .put("datacontenttype", "application/json")
        .put("data", eventGridEvent.getJsonObject("data"));
  }

  /** Posts EventGridEvents (a JSON array) to the gateway's {@code /api/events}, as Event Grid does. */
  public Future<HttpResponse<Buffer>> deliverEvents(JsonArray events) {
    return client.postAbs(eventsUrl())
        .putHeader("Content-Type", "application/json")
        .putHeader("aeg-event-type", "Notification")
        .sendBuffer(events.toBuffer());
  }

  /** Posts one CloudEvent ({@code application/cloudevents+json}) to {@code /api/events}. */
  public Future<HttpResponse<Buffer>> deliverCloudEvent(JsonObject cloudEvent) {
    return client.postAbs(eventsUrl())
        .putHeader("Content-Type", "application/cloudevents+json; charset=utf-8")
        .putHeader("Origin", "eventgrid.azure.net")
        .sendBuffer(cloudEvent.toBuffer());
  }

  /** Delivers a fresh IncomingCall (EventGridEvent schema); the response tells whether the gateway took it. */
  public Future<HttpResponse<Buffer>> deliverIncomingCall(IncomingCallSpec spec) {
    return deliverEvents(new JsonArray().add(incomingCallEvent(spec)));
  }

  /** The EventGridEvent-schema validation handshake; the gateway must answer the code. */
  public Future<HttpResponse<Buffer>> deliverSubscriptionValidation(String validationCode) {
    JsonObject event = new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("topic", "/subscriptions/emulated")
        .put("subject", "")
        .put("data", new JsonObject().put("validationCode", validationCode)
            .put("validationUrl", "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/emulated/validate?id="
                + validationCode))
        .put("eventType", "Microsoft.EventGrid.SubscriptionValidationEvent")
        .put("eventTime", Instant.now().toString())
        .put("metadataVersion", "1")
        .put("dataVersion", "1");
    return client.postAbs(eventsUrl())
        .putHeader("Content-Type", "application/json")
        .putHeader("aeg-event-type", "SubscriptionValidation")
        .sendBuffer(new JsonArray().add(event).toBuffer());
  }

  /** The CloudEvents abuse-protection handshake: {@code OPTIONS} with {@code WebHook-Request-Origin}. */
  public Future<HttpResponse<Buffer>> cloudEventsHandshake(String origin) {
    return client.requestAbs(io.vertx.core.http.HttpMethod.OPTIONS, eventsUrl())
        .putHeader("WebHook-Request-Origin", origin)
        .putHeader("WebHook-Request-Rate", "120")
        .send();
  }

  private String eventsUrl() {
    String url = gatewayBaseUrl + "/api/events";
    return options.eventGridSecret().isEmpty() ? url
        : url + "?code=" + java.net.URLEncoder.encode(options.eventGridSecret(), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Callbacks towards the gateway

  /** The caller presses {@code digit}: a ContinuousDtmfRecognitionToneReceived callback (when recognition is on). */
  public Future<HttpResponse<Buffer>> pressTone(String callConnectionId, char digit) {
    EmulatedCall call = calls.get(callConnectionId);
    if (call == null) {
      return Future.failedFuture(new IllegalArgumentException("no such call " + callConnectionId));
    }
    return postCallback(call, "ContinuousDtmfRecognitionToneReceived", new JsonObject()
        .put("sequenceId", call.toneSequence.incrementAndGet())
        .put("tone", io.tonegate.calls.CallbackEvent.toneName(digit)));
  }

  /** The remote party hangs up: CallDisconnected. */
  public Future<HttpResponse<Buffer>> remoteHangUp(String callConnectionId) {
    EmulatedCall call = calls.get(callConnectionId);
    if (call == null) {
      return Future.failedFuture(new IllegalArgumentException("no such call " + callConnectionId));
    }
    return disconnect(call);
  }

  /** Posts one callback event of {@code name} for {@code call}, with the common data fields filled in. */
  public Future<HttpResponse<Buffer>> postCallback(EmulatedCall call, String name, JsonObject extraData) {
    JsonObject data = new JsonObject()
        .put("callConnectionId", call.callConnectionId)
        .put("serverCallId", call.serverCallId)
        .put("correlationId", call.correlationId)
        .put("operationContext", "tonegate")
        .put("resultInformation", new JsonObject().put("code", 200).put("subCode", 0).put("message", name + "."));
    data.mergeIn(extraData);
    JsonObject event = new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("source", "calling/callConnections/" + call.callConnectionId)
        .put("type", "Microsoft.Communication." + name)
        .put("data", data)
        .put("time", Instant.now().toString())
        .put("specversion", "1.0")
        .put("datacontenttype", "application/json")
        .put("subject", "calling/callConnections/" + call.callConnectionId);
    return postCallbackBody(call.callbackUri, new JsonArray().add(event), "Bearer " + mintToken(CALLBACK_TOKEN_LIFETIME))
        .onSuccess(r -> callbacksSent.add(event));
  }

  /** Posts a raw callback body with the given Authorization value ({@code null}: none). Tests use it for forgeries. */
  public Future<HttpResponse<Buffer>> postCallbackBody(String callbackUri, JsonArray body, String authorization) {
    var request = client.postAbs(callbackUri).putHeader("Content-Type", "application/json");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendBuffer(body.toBuffer()).onSuccess(response -> {
      if (response.statusCode() != 200) {
        LOG.warn("callback to {} answered {}", callbackUri, response.statusCode());
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Call Automation REST side

  private void callAutomation(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    byte[] body = rc.body().buffer() == null ? new byte[0] : rc.body().buffer().getBytes();
    HmacVerification verification = verifier.verify(new HmacRequest(request.method().name(), request.uri(),
        request::getHeader, body));
    String path = request.path();
    JsonObject json = parseBody(body);
    requests.add(new RecordedRequest(request.method().name(), path, json, verification.ok(),
        MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
    if (!verification.ok()) {
      error(rc, 401, "Denied", verification.failure().message());
      return;
    }
    if (request.getParam("api-version") == null) {
      error(rc, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required.");
      return;
    }
    if (down) {
      error(rc, 503, "ServiceUnavailable", "The service is temporarily unavailable.");
      return;
    }
    Fault fault;
    synchronized (this) {
      fault = faults.poll();
    }
    if (fault != null) {
      fault.retryAfter().ifPresent(value -> rc.response().putHeader("Retry-After", value));
      error(rc, fault.status(), fault.status() == 429 ? "TooManyRequests" : "Emulated",
          "Emulated failure " + fault.status() + ".");
      return;
    }
    String prefix = "/calling/callConnections";
    if (!path.startsWith(prefix)) {
      error(rc, 404, "NotFound", "Unknown path.");
      return;
    }
    String rest = path.substring(prefix.length());
    switch (request.method().name() + " " + (rest.startsWith(":") ? rest : rest.isEmpty() ? "" : "/id" + action(rest))) {
      case "POST :answer" -> answer(rc, json);
      case "POST " -> create(rc, json);
      case "DELETE /id" -> withCall(rc, rest, call -> {
        rc.response().setStatusCode(204).end();
        disconnect(call);
      });
      case "POST /id:terminate" -> withCall(rc, rest, call -> {
        rc.response().setStatusCode(204).end();
        disconnect(call);
      });
      case "POST /id:startMediaStreaming" -> withCall(rc, rest, call -> {
        rc.response().setStatusCode(202).end();
        startMedia(call);
      });
      case "POST /id:stopMediaStreaming" -> withCall(rc, rest, call -> {
        rc.response().setStatusCode(202).end();
        call.mediaStreaming = false;
        postCallback(call, "MediaStreamingStopped", mediaUpdate("mediaStreamingStopped", "subscriptionStopped"));
      });
      case "POST /id:startContinuousDtmfRecognition" -> withCall(rc, rest, call -> {
        if (!(json.getValue("targetParticipant") instanceof JsonObject)) {
          error(rc, 400, "BadRequest", "targetParticipant is required.");
          return;
        }
        call.continuousDtmf = true;
        rc.response().setStatusCode(200).end();
      });
      default -> error(rc, 404, "NotFound", "Unknown operation.");
    }
  }

  private static String action(String rest) {
    int colon = rest.indexOf(':');
    return colon < 0 ? "" : rest.substring(colon);
  }

  private void withCall(RoutingContext rc, String rest, java.util.function.Consumer<EmulatedCall> action) {
    String id = rest.substring(1);
    int colon = id.indexOf(':');
    if (colon >= 0) {
      id = id.substring(0, colon);
    }
    EmulatedCall call = calls.get(java.net.URLDecoder.decode(id, StandardCharsets.UTF_8));
    if (call == null || "disconnected".equals(call.state)) {
      error(rc, 404, "8522", "Call not found.");
      return;
    }
    action.accept(call);
  }

  private void answer(RoutingContext rc, JsonObject body) {
    String context = body.getString("incomingCallContext");
    String callbackUri = body.getString("callbackUri");
    if (context == null || callbackUri == null) {
      error(rc, 400, "BadRequest", "incomingCallContext and callbackUri are required.");
      return;
    }
    JsonObject incoming = incomingContexts.remove(context);
    if (incoming == null) {
      error(rc, 400, "8523", "Invalid or already answered incoming call context.");
      return;
    }
    EmulatedCall call = new EmulatedCall(UUID.randomUUID().toString(), incoming.getString("serverCallId"),
        incoming.getString("correlationId"), incoming.getJsonObject("from"), incoming.getJsonObject("to"), true);
    setUp(call, body, callbackUri);
    rc.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end(properties(call, call.to).encode());
    connect(call);
  }

  private void create(RoutingContext rc, JsonObject body) {
    String callbackUri = body.getString("callbackUri");
    JsonArray targets = body.getJsonArray("targets");
    if (callbackUri == null || targets == null || targets.isEmpty() || !(targets.getValue(0) instanceof JsonObject)) {
      error(rc, 400, "BadRequest", "targets and callbackUri are required.");
      return;
    }
    JsonObject target = targets.getJsonObject(0);
    if ("phoneNumber".equals(target.getString("kind")) && !(body.getValue("sourceCallerIdNumber") instanceof JsonObject)) {
      error(rc, 400, "BadRequest", "sourceCallerIdNumber is required for a PSTN target.");
      return;
    }
    JsonObject source = body.getValue("sourceCallerIdNumber") instanceof JsonObject number
        ? identifierModel(number.getString("value")) : identifierModel("8:acs:emulated_bot");
    EmulatedCall call = new EmulatedCall(UUID.randomUUID().toString(), "emulated-" + UUID.randomUUID(),
        UUID.randomUUID().toString(), source, target, false);
    setUp(call, body, callbackUri);
    rc.response().setStatusCode(201).putHeader("Content-Type", "application/json")
        .end(properties(call, source).encode());
    connect(call);
  }

  private void setUp(EmulatedCall call, JsonObject body, String callbackUri) {
    call.callbackUri = callbackUri;
    JsonObject media = body.getValue("mediaStreamingOptions") instanceof JsonObject options ? options
        : body.getValue("mediaStreamingConfiguration") instanceof JsonObject older ? older : new JsonObject();
    call.mediaStreamingOptions = media;
    calls.put(call.callConnectionId, call);
  }

  /** After the answer/create response: CallConnected, then media streaming if it was asked to start. */
  private void connect(EmulatedCall call) {
    vertx.setTimer(5, t -> {
      call.state = "connected";
      postCallback(call, "CallConnected", new JsonObject()).onComplete(done -> {
        if (call.mediaStreamingOptions.getBoolean("startMediaStreaming", false)) {
          startMedia(call);
        }
      });
    });
  }

  private void startMedia(EmulatedCall call) {
    MediaStreamOpener opener = mediaOpener;
    if (opener == null || call.transportUrl().isEmpty()) {
      call.mediaStreaming = true;
      postCallback(call, "MediaStreamingStarted", mediaUpdate("mediaStreamingStarted", "subscriptionStarted"));
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("x-ms-call-correlation-id", call.correlationId)
        .add("x-ms-call-connection-id", call.callConnectionId)
        .add("Authorization", "Bearer " + mintToken(Duration.ofHours(24)));
    opener.open(call, headers).onComplete(opened -> {
      if (opened.succeeded()) {
        call.mediaStreaming = true;
        postCallback(call, "MediaStreamingStarted", mediaUpdate("mediaStreamingStarted", "subscriptionStarted"));
      } else {
        LOG.warn("media WebSocket to {} failed: {}", call.transportUrl(), opened.cause().getMessage());
        postCallback(call, "MediaStreamingFailed",
            mediaUpdate("mediaStreamingFailed", "initialWebSocketConnectionFailed"));
      }
    });
  }

  private Future<HttpResponse<Buffer>> disconnect(EmulatedCall call) {
    if ("disconnected".equals(call.state)) {
      return Future.failedFuture(new IllegalStateException("already disconnected"));
    }
    call.state = "disconnected";
    call.mediaStreaming = false;
    return postCallback(call, "CallDisconnected", new JsonObject());
  }

  private static JsonObject mediaUpdate(String status, String details) {
    return new JsonObject().put("mediaStreamingUpdate", new JsonObject().put("contentType", "Audio")
        .put("mediaStreamingStatus", status).put("mediaStreamingStatusDetails", details));
  }

  /** {@code CallConnectionProperties} (acs-wire.md §3.3). */
  private static JsonObject properties(EmulatedCall call, JsonObject answeredFor) {
    JsonObject properties = new JsonObject()
        .put("callConnectionId", call.callConnectionId)
        .put("serverCallId", call.serverCallId)
        .put("source", call.inbound ? call.to : call.from)
        .put("targets", new JsonArray().add(call.inbound ? call.from : call.to))
        .put("callConnectionState", call.state)
        .put("callbackUri", call.callbackUri)
        .put("correlationId", call.correlationId);
    if (!call.mediaStreamingOptions.isEmpty()) {
      boolean starts = call.mediaStreamingOptions.getBoolean("startMediaStreaming", false);
      properties.put("mediaStreamingSubscription", new JsonObject().put("id", UUID.randomUUID().toString())
          .put("state", starts ? "active" : "inactive").put("subscribedContentTypes", new JsonArray().add("audio")));
    }
    if (answeredFor.getValue("phoneNumber") instanceof JsonObject phone) {
      properties.put("answeredFor", phone.copy());
    }
    return properties;
  }

  /** A CommunicationIdentifierModel for a raw id or an E.164 number. */
  public static JsonObject identifierModel(String id) {
    if (id.startsWith("+")) {
      return new JsonObject().put("kind", "phoneNumber").put("rawId", "4:" + id)
          .put("phoneNumber", new JsonObject().put("value", id));
    }
    if (id.startsWith("4:")) {
      return identifierModel(id.substring(2));
    }
    return new JsonObject().put("kind", "communicationUser").put("rawId", id)
        .put("communicationUser", new JsonObject().put("id", id));
  }

  private void keys(RoutingContext rc) {
    JsonObject jwks = new JsonObject().put("keys", new JsonArray()
        .add(JwkSet.toJwk(kid, JwsAlgorithm.RS256, signingKey.getPublic())));
    rc.response().putHeader("Content-Type", "application/json").end(jwks.encode());
  }

  private void openIdConfiguration(RoutingContext rc) {
    rc.response().putHeader("Content-Type", "application/json").end(new JsonObject()
        .put("issuer", ACS_ISSUER)
        .put("jwks_uri", jwksUrl())
        .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
        .encode());
  }

  private static JsonObject parseBody(byte[] body) {
    if (body.length == 0) {
      return new JsonObject();
    }
    try {
      return new JsonObject(Buffer.buffer(body));
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  /** A {@code CommunicationErrorResponse} (acs-wire.md §4.6). */
  private static void error(RoutingContext rc, int status, String code, String message) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).encode());
  }

  @Override
  public void close() {
    try {
      client.close();
      if (server != null) {
        server.close().await(5, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.debug("ACS emulator close: {}", e.toString());
    }
  }
}
