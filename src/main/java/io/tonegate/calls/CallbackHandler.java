package io.tonegate.calls;

import io.tonegate.auth.JwtValidator;
import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /api/callbacks}: Call Automation callback events (acs-wire.md §3.7). Each request must carry ACS's
 * RS256 bearer JWT (issuer, audience = the resource's immutable id, keys from the configured JWKS): else 401 and
 * nothing is read. A malformed body is 400. Each event is acted on once per event id; 200 when all were, 503 when
 * Redis could not be reached (the ids are released, so a redelivery acts).
 */
final class CallbackHandler {

  private static final Logger LOG = LoggerFactory.getLogger(CallbackHandler.class);

  private final CallControl calls;
  private final Optional<JwtValidator> validator;
  private final CallsMetrics metrics;

  /** @param validator empty when no audience is configured: every callback is refused */
  CallbackHandler(CallControl calls, Optional<JwtValidator> validator, CallsMetrics metrics) {
    this.calls = calls;
    this.validator = validator;
    this.metrics = metrics;
  }

  void handle(RoutingContext rc) {
    if (validator.isEmpty()) {
      refuse(rc, 401, "not_configured", "callbacks are not accepted: calls.callbacks.audiences is empty");
      return;
    }
    String authorization = rc.request().getHeader("Authorization");
    if (authorization == null) {
      refuse(rc, 401, "missing_token", "the callback is not authenticated");
      return;
    }
    validator.get().validateBearer(authorization).onComplete(result -> {
      if (result.failed()) {
        refuse(rc, 401, "bad_token", "the callback is not authenticated");
        return;
      }
      List<CallbackEvent> events;
      try {
        events = CallbackEvent.parseAll(rc.body().asString());
      } catch (CallbackEvent.MalformedCallbackException e) {
        metrics.refused("callbacks", "malformed");
        HttpErrors.send(rc, 400, "BadRequest", e.getMessage());
        return;
      }
      List<Future<String>> work = new ArrayList<>(events.size());
      for (CallbackEvent event : events) {
        work.add(calls.handleCallback(event).andThen(outcome -> {
          metrics.callback(event.name(), outcome.succeeded() ? outcome.result() : "failed");
          if (outcome.failed()) {
            LOG.warn("callback {} for call {} not processed: {}", event.name(), event.callConnectionId(),
                outcome.cause().getMessage());
          }
        }));
      }
      Future.join(work).onComplete(all -> {
        if (all.succeeded()) {
          rc.response().setStatusCode(200).end();
        } else {
          HttpErrors.send(rc, 503, "ServiceUnavailable", "the callback could not be processed; redeliver later");
        }
      });
    });
  }

  private void refuse(RoutingContext rc, int status, String reason, String message) {
    metrics.refused("callbacks", reason);
    HttpErrors.send(rc, status, "Unauthorized", message);
  }
}
