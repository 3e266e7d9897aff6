package io.tonegate.calls;

import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code /api/events}: the Event Grid webhook (acs-wire.md §2).
 *
 * <ul>
 *   <li>{@code OPTIONS} with {@code WebHook-Request-Origin}: the CloudEvents abuse-protection handshake; 200 with
 *       {@code WebHook-Allowed-Origin} for a configured origin.</li>
 *   <li>{@code POST}: authenticate (secret parameter or Entra JWT: else 401), parse and check the whole delivery
 *       (else 400), then a SubscriptionValidationEvent answers {@code {"validationResponse": code}} and IncomingCall
 *       events are answered once per event id. 200 when every event was acted on, 503 when one failed transiently
 *       (Event Grid redelivers; acted-on ids are remembered).</li>
 * </ul>
 */
final class EventGridHandler {

  private static final Logger LOG = LoggerFactory.getLogger(EventGridHandler.class);

  private final CallControl calls;
  private final EventGridAuthenticator auth;
  private final CallsConfig.EventGrid config;
  private final CallsMetrics metrics;

  EventGridHandler(CallControl calls, EventGridAuthenticator auth, CallsConfig.EventGrid config,
                   CallsMetrics metrics) {
    this.calls = calls;
    this.auth = auth;
    this.config = config;
    this.metrics = metrics;
  }

  void handshake(RoutingContext rc) {
    String origin = rc.request().getHeader("WebHook-Request-Origin");
    auth.authenticate(rc.request()).onComplete(result -> {
      if (result.failed()) {
        refuse(rc, 401, reasonOf(result.cause()), "Unauthorized", "the delivery is not authenticated");
        return;
      }
      if (origin == null || origin.isBlank()) {
        refuse(rc, 400, "missing_origin", "BadRequest", "WebHook-Request-Origin is required");
        return;
      }
      boolean allowed = config.allowedOrigins().stream().anyMatch(o -> o.equals("*")
          || o.toLowerCase(Locale.ROOT).equals(origin.trim().toLowerCase(Locale.ROOT)));
      if (!allowed) {
        refuse(rc, 403, "origin_not_allowed", "Forbidden", "this origin may not deliver events here");
        return;
      }
      metrics.gridEvent("handshake", "validated");
      LOG.info("Event Grid CloudEvents handshake accepted for origin {}", origin.trim());
      rc.response().setStatusCode(200)
          .putHeader("WebHook-Allowed-Origin", origin.trim())
          .putHeader("WebHook-Allowed-Rate", "*")
          .putHeader("Allow", "POST, OPTIONS")
          .end();
    });
  }

  void deliver(RoutingContext rc) {
    auth.authenticate(rc.request()).onComplete(result -> {
      if (result.failed()) {
        refuse(rc, 401, reasonOf(result.cause()), "Unauthorized", "the delivery is not authenticated");
        return;
      }
      EventGridDelivery delivery;
      List<IncomingCall> incoming = new ArrayList<>();
      try {
        delivery = EventGridDelivery.parse(rc.body().asString());
        for (GridEvent event : delivery.events()) {
          if (GridEvent.INCOMING_CALL.equals(event.type())) {
            incoming.add(IncomingCall.fromEventData(event.data())); // all checked before any is acted on
          }
        }
      } catch (EventGridDelivery.MalformedDeliveryException e) {
        refuse(rc, 400, "malformed", "BadRequest", e.getMessage());
        return;
      } catch (IllegalArgumentException e) {
        refuse(rc, 400, "malformed", "BadRequest", "an IncomingCall event is malformed: " + e.getMessage());
        return;
      }
      if (delivery.validationCode().isPresent()) {
        metrics.gridEvent(GridEvent.SUBSCRIPTION_VALIDATION, "validated");
        LOG.info("Event Grid subscription validation answered");
        rc.json(new JsonObject().put("validationResponse", delivery.validationCode().get()));
        return;
      }
      act(rc, delivery, incoming);
    });
  }

  private void act(RoutingContext rc, EventGridDelivery delivery, List<IncomingCall> incoming) {
    List<Future<Boolean>> work = new ArrayList<>();
    int next = 0;
    for (GridEvent event : delivery.events()) {
      if (GridEvent.INCOMING_CALL.equals(event.type())) {
        IncomingCall call = incoming.get(next++);
        work.add(calls.answerIncoming(event.id(), call).transform(result -> {
          CallControl.IncomingOutcome outcome = result.succeeded() ? result.result() : CallControl.IncomingOutcome.FAILED;
          if (result.failed()) {
            LOG.warn("IncomingCall event {} could not be processed: {}", event.id(), result.cause().getMessage());
          }
          metrics.gridEvent(event.type(), outcome.tag());
          return Future.succeededFuture(outcome != CallControl.IncomingOutcome.FAILED);
        }));
      } else {
        LOG.debug("Event Grid event {} of type {} not acted on", event.id(), event.type());
        metrics.gridEvent(event.type(), "ignored");
      }
    }
    Future.all(work)
        .timeout(config.processingTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(all -> {
          boolean ok = all.succeeded() && work.stream().allMatch(Future::result);
          if (ok) {
            rc.response().setStatusCode(200).end();
          } else {
            HttpErrors.send(rc, 503, "ServiceUnavailable", "some events could not be processed; redeliver later");
          }
        });
  }

  private void refuse(RoutingContext rc, int status, String reason, String code, String message) {
    metrics.refused("events", reason);
    LOG.debug("/api/events refused ({}): {}", status, reason);
    HttpErrors.send(rc, status, code, message);
  }

  static String reasonOf(Throwable error) {
    return error instanceof EventGridAuthenticator.Refused refused ? refused.reason : "auth_error";
  }
}
