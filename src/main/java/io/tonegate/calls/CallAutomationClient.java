package io.tonegate.calls;

import io.tonegate.identity.AcsConnectionString;
import io.tonegate.identity.AcsHmacSigner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Call Automation REST client (acs-wire.md §3): non-blocking on the gateway's Vert.x, every request signed with
 * ACS HMAC-SHA256 ({@link AcsHmacSigner}, §5), retried with backoff on 429/5xx/transport failures honouring
 * {@code Retry-After}, guarded by a {@link CircuitBreaker}, every attempt counted in
 * {@code tonegate.calls.automation.requests{operation,status}}.
 *
 * <p>Creating, answering and terminating carry {@code Repeatability-Request-ID}/{@code Repeatability-First-Sent}
 * (the same on every retry of one operation), so ACS can recognise a retried request it already executed.
 *
 * <p>One instance per process, safe to use from any event loop. Failures are {@link CallAutomationException}s.
 */
public final class CallAutomationClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CallAutomationClient.class);
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(ZoneOffset.UTC);

  /** The operations and their success statuses (spec 2025-06-15, acs-wire.md §3.2). */
  public enum Operation {
    ANSWER("answer", Set.of(200), true),
    CREATE("create", Set.of(200, 201), true),
    HANG_UP("hang_up", Set.of(200, 204), false),
    TERMINATE("terminate", Set.of(200, 204), true),
    START_MEDIA_STREAMING("start_media_streaming", Set.of(200, 202), false),
    STOP_MEDIA_STREAMING("stop_media_streaming", Set.of(200, 202), false),
    START_CONTINUOUS_DTMF("start_continuous_dtmf", Set.of(200, 202), false);

    private final String metricName;
    private final Set<Integer> success;
    private final boolean repeatable;

    Operation(String metricName, Set<Integer> success, boolean repeatable) {
      this.metricName = metricName;
      this.success = success;
      this.repeatable = repeatable;
    }

    public String metricName() {
      return metricName;
    }
  }

  private final Optional<AcsConnectionString> connection;
  private final Optional<AcsHmacSigner> signer;
  private final CallsConfig.Acs config;
  private final RetryPolicy retry;
  private final CircuitBreaker breaker;
  private final CallsMetrics metrics;
  private final Clock clock;
  private final Vertx vertx;
  // Kept in a field for the client's whole life: Vert.x 5 closes clients that are garbage-collected.
  private final WebClient webClient;

  public CallAutomationClient(Vertx vertx, CallsConfig.Acs config, CallsMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.connection = config.connectionString();
    this.signer = connection.map(c -> new AcsHmacSigner(c.accessKey(), clock));
    this.metrics = metrics;
    this.clock = clock;
    this.retry = new RetryPolicy(config.maxAttempts(), config.retryBaseDelay(), config.retryMaxDelay(),
        () -> ThreadLocalRandom.current().nextDouble());
    this.breaker = new CircuitBreaker(config.breakerFailureThreshold(), config.breakerOpenDuration(), clock,
        (from, to) -> logTransition(to));
    metrics.circuitState(breaker::state);
    boolean tls = connection.map(c -> "https".equals(c.endpoint().getScheme())).orElse(true);
    this.webClient = WebClient.create(vertx, new WebClientOptions()
        .setSsl(tls)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis()))
        .setUserAgent("tonegate-calls/0.1"),
        // Bounded: at most 32 connections to ACS, and 1024 requests waiting for one before new ones fail fast.
        new PoolOptions().setHttp1MaxSize(32).setMaxWaitQueueSize(1024));
    connection.ifPresent(c -> {
      if (!tls && !isLoopback(c.endpoint())) {
        LOG.warn("calls.acs.connectionString endpoint {} is plain http: requests and signatures travel unencrypted",
            c.endpoint());
      }
    });
  }

  /** Whether a connection string is configured. */
  public boolean configured() {
    return connection.isPresent();
  }

  public CircuitBreaker.State circuitState() {
    return breaker.state();
  }

  /** Answers an incoming call ({@code POST /calling/callConnections:answer}, 200). */
  public Future<CallConnection> answerCall(JsonObject body) {
    return send(Operation.ANSWER, HttpMethod.POST, "calling/callConnections:answer", body)
        .compose(response -> connectionOf(Operation.ANSWER, response));
  }

  /** Places a call ({@code POST /calling/callConnections}, 201). */
  public Future<CallConnection> createCall(JsonObject body) {
    return send(Operation.CREATE, HttpMethod.POST, "calling/callConnections", body)
        .compose(response -> connectionOf(Operation.CREATE, response));
  }

  /** Leaves the call ({@code DELETE /calling/callConnections/{id}}, 204); a 1:1 call ends. */
  public Future<Void> hangUp(String callConnectionId) {
    return send(Operation.HANG_UP, HttpMethod.DELETE, "calling/callConnections/" + segment(callConnectionId), null)
        .mapEmpty();
  }

  /** Ends the call for everyone ({@code POST …/{id}:terminate}, 204). */
  public Future<Void> terminateCall(String callConnectionId) {
    return send(Operation.TERMINATE, HttpMethod.POST,
        "calling/callConnections/" + segment(callConnectionId) + ":terminate", new JsonObject()).mapEmpty();
  }

  /** {@code POST …/{id}:startMediaStreaming} (202). */
  public Future<Void> startMediaStreaming(String callConnectionId, String operationContext) {
    return send(Operation.START_MEDIA_STREAMING, HttpMethod.POST,
        "calling/callConnections/" + segment(callConnectionId) + ":startMediaStreaming",
        CallAutomationRequests.mediaStreamingOperation(operationContext)).mapEmpty();
  }

  /** {@code POST …/{id}:stopMediaStreaming} (202). */
  public Future<Void> stopMediaStreaming(String callConnectionId, String operationContext) {
    return send(Operation.STOP_MEDIA_STREAMING, HttpMethod.POST,
        "calling/callConnections/" + segment(callConnectionId) + ":stopMediaStreaming",
        CallAutomationRequests.mediaStreamingOperation(operationContext)).mapEmpty();
  }

  /** {@code POST …/{id}:startContinuousDtmfRecognition} (200) for the tones {@code target} presses. */
  public Future<Void> startContinuousDtmfRecognition(String callConnectionId, AcsIdentifier target,
                                                     String operationContext) {
    return send(Operation.START_CONTINUOUS_DTMF, HttpMethod.POST,
        "calling/callConnections/" + segment(callConnectionId) + ":startContinuousDtmfRecognition",
        CallAutomationRequests.startContinuousDtmfRecognition(target, operationContext)).mapEmpty();
  }

  @Override
  public void close() {
    webClient.close();
  }

  private Future<HttpResponse<Buffer>> send(Operation operation, HttpMethod method, String path, JsonObject body) {
    if (connection.isEmpty()) {
      metrics.automationRequest(operation.metricName(), "not_configured");
      return Future.failedFuture(new CallAutomationException(CallAutomationException.Kind.NOT_CONFIGURED,
          operation.metricName(), 0, "", "Call Automation is not configured (calls.acs.connectionString is empty)"));
    }
    URI uri = connection.get().endpoint().resolve(path + "?api-version="
        + URLEncoder.encode(config.apiVersion(), StandardCharsets.UTF_8));
    byte[] bytes = body == null ? new byte[0] : body.encode().getBytes(StandardCharsets.UTF_8);
    String requestId = operation.repeatable ? UUID.randomUUID().toString() : null;
    String firstSent = IMF_FIXDATE.format(clock.instant());
    return attempt(operation, method, uri, bytes, requestId, firstSent, 1);
  }

  private Future<HttpResponse<Buffer>> attempt(Operation operation, HttpMethod method, URI uri, byte[] body,
                                               String requestId, String firstSent, int attempt) {
    String op = operation.metricName();
    if (!breaker.tryAcquire()) {
      metrics.automationRequest(op, "circuit_open");
      return Future.failedFuture(new CallAutomationException(CallAutomationException.Kind.CIRCUIT_OPEN, op, 0, "",
          "Call Automation circuit is open after repeated failures; failing fast for another "
              + breaker.remainingOpen().toMillis() + " ms"));
    }
    HttpRequest<Buffer> request = webClient.requestAbs(method, uri.toString())
        .timeout(config.requestTimeout().toMillis());
    signer.get().sign(method.name(), uri, body).asMap().forEach(request::putHeader);
    request.putHeader("Accept", "application/json");
    if (body.length > 0) {
      request.putHeader("Content-Type", "application/json");
    }
    if (requestId != null) {
      request.putHeader("Repeatability-Request-ID", requestId);
      request.putHeader("Repeatability-First-Sent", firstSent);
    }
    Future<HttpResponse<Buffer>> sent = body.length > 0 || method == HttpMethod.POST
        ? request.sendBuffer(Buffer.buffer(body)) : request.send();
    return sent
        .timeout(config.requestTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS) // backstop to request.timeout
        .transform(result -> {
          if (result.failed()) {
            String kind = isTimeout(result.cause()) ? "timeout" : "connection_error";
            metrics.automationRequest(op, kind);
            breaker.onFailure();
            return retryOrFail(operation, method, uri, body, requestId, firstSent, attempt, Optional.empty(),
                new CallAutomationException(CallAutomationException.Kind.UNAVAILABLE, op, 0, "",
                    "Call Automation " + op + " failed: " + kind + " (" + result.cause().getMessage() + ")"));
          }
          HttpResponse<Buffer> response = result.result();
          int status = response.statusCode();
          metrics.automationRequest(op, Integer.toString(status));
          if (operation.success.contains(status)) {
            breaker.onSuccess();
            return Future.succeededFuture(response);
          }
          String code = errorCode(response);
          if (RetryPolicy.isRetryableStatus(status)) {
            breaker.onFailure();
            return retryOrFail(operation, method, uri, body, requestId, firstSent, attempt,
                RetryPolicy.serverDelay(response::getHeader, clock.instant()),
                new CallAutomationException(CallAutomationException.Kind.UNAVAILABLE, op, status, code,
                    "Call Automation " + op + " answered " + status + errorSuffix(code)));
          }
          breaker.onSuccess(); // the service is up; it refused this request
          return Future.failedFuture(new CallAutomationException(CallAutomationException.Kind.REJECTED, op, status,
              code, "Call Automation " + op + " refused with " + status + errorSuffix(code)));
        });
  }

  private Future<HttpResponse<Buffer>> retryOrFail(Operation operation, HttpMethod method, URI uri, byte[] body,
                                                   String requestId, String firstSent, int attempt,
                                                   Optional<Duration> serverDelay, CallAutomationException failure) {
    if (!retry.mayRetry(attempt)) {
      return Future.failedFuture(failure);
    }
    Duration delay = retry.delayAfter(attempt, serverDelay, clock.instant());
    LOG.debug("{}; attempt {} of {} in {} ms", failure.getMessage(), attempt + 1, retry.maxAttempts(),
        delay.toMillis());
    Future<Void> wait = delay.isZero() ? Future.succeededFuture()
        : vertx.timer(Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS).mapEmpty();
    return wait.compose(v -> attempt(operation, method, uri, body, requestId, firstSent, attempt + 1));
  }

  private static Future<CallConnection> connectionOf(Operation operation, HttpResponse<Buffer> response) {
    try {
      return Future.succeededFuture(CallConnection.fromJson(response.bodyAsJsonObject()));
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      return Future.failedFuture(new CallAutomationException(CallAutomationException.Kind.BAD_RESPONSE,
          operation.metricName(), response.statusCode(), "", "Call Automation " + operation.metricName()
          + " answered " + response.statusCode() + " without a readable callConnectionId"));
    }
  }

  /** ACS's {@code error.code} from a {@code CommunicationErrorResponse} body (acs-wire.md §4.6), if readable. */
  private static String errorCode(HttpResponse<Buffer> response) {
    try {
      JsonObject body = response.bodyAsJsonObject();
      if (body != null && body.getValue("error") instanceof JsonObject error && error.getValue("code") instanceof String c) {
        return c.length() > 64 ? c.substring(0, 64) : c;
      }
    } catch (DecodeException | ClassCastException e) {
      // not JSON: no code
    }
    return "";
  }

  private static String errorSuffix(String code) {
    return code.isEmpty() ? "" : " (" + code + ")";
  }

  private static boolean isTimeout(Throwable error) {
    return error instanceof TimeoutException || error instanceof io.netty.handler.timeout.TimeoutException
        || String.valueOf(error.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout");
  }

  private static String segment(String id) {
    // Call connection ids are GUID-like; encode anything else so an id can never change the path.
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static boolean isLoopback(URI endpoint) {
    String host = endpoint.getHost();
    return "localhost".equals(host) || host.startsWith("127.") || "[::1]".equals(host) || "::1".equals(host);
  }

  private void logTransition(CircuitBreaker.State to) {
    switch (to) {
      case OPEN -> LOG.warn("Call Automation circuit OPEN: ACS at {} failed {} times in a row; calls fail fast for {} ms",
          connection.map(c -> c.endpoint().getHost()).orElse("?"), config.breakerFailureThreshold(),
          config.breakerOpenDuration().toMillis());
      case HALF_OPEN -> LOG.info("Call Automation circuit HALF-OPEN: sending one trial request");
      case CLOSED -> LOG.info("Call Automation circuit CLOSED: ACS answers again");
    }
  }

  /** The time an operation may take in the worst case with every retry, for callers' deadlines. */
  public Duration worstCaseDuration() {
    long attempts = config.maxAttempts();
    return config.requestTimeout().multipliedBy(attempts).plus(config.retryMaxDelay().multipliedBy(attempts - 1));
  }
}
