package io.tonegate.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Polls presence owned by another system (a Graph-like {@code GET <baseUrl>/users/{id}/presence}) for every
 * registered user, once per interval, with the requests spread evenly over it (one timer step after another, so a
 * pause never bunches them), and publishes through the store, which publishes only real changes.
 *
 * <p>A 429 pauses all polling for its Retry-After (capped at {@code maxRetryAfter}); a 401 drops the cached token.
 * Runs only on the lease holder, started and stopped as the lease comes and goes.
 */
final class PresencePoller implements PresenceModule.LeaderTask {

  private static final Logger LOG = LoggerFactory.getLogger(PresencePoller.class);
  /** Wait after a 429 without a usable Retry-After. */
  private static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final WebClient http;
  private final PollerConfig config;
  private final PollRegistry registry;
  private final OAuthTokens tokens;
  private final PresencePublisher publisher;
  private final PresenceMetrics metrics;
  private final Deque<PollRegistry.Registration> cycle = new ArrayDeque<>();
  private long timer = -1;
  private long generation;
  private boolean running;
  private long pausedUntilMs;

  PresencePoller(Vertx vertx, WebClient http, PollerConfig config, PollRegistry registry, OAuthTokens tokens,
                 PresencePublisher publisher, PresenceMetrics metrics) {
    this.vertx = vertx;
    this.http = http;
    this.config = config;
    this.registry = registry;
    this.tokens = tokens;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  @Override
  public void start() {
    if (running) {
      return;
    }
    running = true;
    generation++;
    LOG.info("presence poller started on this instance");
    startCycle(generation);
  }

  @Override
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    generation++; // any step in flight sees a stale generation and stops
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    cycle.clear();
    LOG.info("presence poller stopped on this instance");
  }

  private void startCycle(long gen) {
    registry.all().onComplete(result -> {
      if (gen != generation) {
        return;
      }
      List<PollRegistry.Registration> users = result.succeeded() ? result.result() : List.of();
      if (result.failed()) {
        LOG.warn("presence poller cannot read registrations: {}", result.cause().getMessage());
      }
      cycle.clear();
      cycle.addAll(users);
      if (users.isEmpty()) {
        schedule(gen, config.interval().toMillis(), () -> startCycle(gen));
        return;
      }
      step(gen, Math.max(1, config.interval().toMillis() / users.size()));
    });
  }

  /** Polls the next user, then waits {@code spacingMs} (or until a 429 pause ends) before the following one. */
  private void step(long gen, long spacingMs) {
    if (gen != generation) {
      return;
    }
    long now = System.currentTimeMillis();
    if (now < pausedUntilMs) {
      schedule(gen, pausedUntilMs - now, () -> step(gen, spacingMs));
      return;
    }
    PollRegistry.Registration next = cycle.poll();
    if (next == null) {
      startCycle(gen); // the last user's spacing has already passed: the next cycle starts now
      return;
    }
    poll(next).onComplete(done -> schedule(gen, spacingMs, () -> step(gen, spacingMs)));
  }

  private void schedule(long gen, long delayMs, Runnable action) {
    timer = vertx.setTimer(Math.max(1, delayMs), id -> {
      if (gen == generation) {
        action.run();
      }
    });
  }

  private Future<Void> poll(PollRegistry.Registration registration) {
    return tokens.token(registration)
        .compose(token -> http.getAbs(config.baseUrl() + "/users/"
                + URLEncoder.encode(registration.remoteId(), StandardCharsets.UTF_8) + "/presence")
            .bearerTokenAuthentication(token)
            .putHeader("accept", "application/json")
            .timeout(config.requestTimeout().toMillis())
            .send())
        .compose(response -> handle(registration, response), error -> {
          metrics.pollRequest(error instanceof OAuthTokens.TokenUnavailable t ? t.reason : "error");
          LOG.debug("presence poll of {} failed: {}", registration.user(), error.toString());
          return Future.succeededFuture();
        });
  }

  private Future<Void> handle(PollRegistry.Registration registration, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status == 429) {
      metrics.pollRequest("429");
      Duration wait = RetryAfter.parse(response.getHeader("Retry-After"), Instant.now(), DEFAULT_BACKOFF,
          config.maxRetryAfter());
      pausedUntilMs = Math.max(pausedUntilMs, System.currentTimeMillis() + wait.toMillis());
      cycle.addFirst(registration); // retried first when the pause ends
      LOG.info("presence API throttled (429): pausing the poller for {} ms", wait.toMillis());
      return Future.succeededFuture();
    }
    if (status == 401) {
      metrics.pollRequest("401");
      tokens.invalidate(registration);
      return Future.succeededFuture();
    }
    if (status != 200) {
      metrics.pollRequest(status >= 500 ? "5xx" : status == 404 ? "404" : "4xx");
      return Future.succeededFuture();
    }
    Presence presence;
    try {
      JsonObject body = response.bodyAsJsonObject();
      presence = new Presence(body.getString("availability"), body.getString("activity"));
    } catch (RuntimeException e) {
      metrics.pollRequest("bad_response");
      return Future.succeededFuture();
    }
    metrics.pollRequest("200");
    return publisher.set(registration.user(), "poll", presence, 0).mapEmpty();
  }
}
