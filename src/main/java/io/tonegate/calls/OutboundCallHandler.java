package io.tonegate.calls;

import io.tonegate.auth.JwtValidator;
import io.tonegate.gateway.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code POST /api/call}: places a call with media streaming to Tonegate. Bearer JWT of the configured OIDC provider
 * (else 401). Body {@code {"target": "+14255550100" | "8:acs:..."}} (else 400). Creates the call through Call
 * Automation, stores its record (flow {@code api}) and its {@code acs:<callConnectionId>} session key, both with TTL
 * {@code calls.recordTtl}, and answers {@code 201 {"callConnectionId": ...}}. ACS refusing: 502; ACS unreachable or
 * Redis down: 503 (a call already created is hung up, so no unauthorized call stays up).
 */
final class OutboundCallHandler {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundCallHandler.class);
  private static final int MAX_TARGET_LENGTH = 256;

  private final CallControl calls;
  private final CallsConfig config;
  private final Optional<JwtValidator> validator;
  private final Supplier<Optional<CallKeyStore>> keyStore;
  private final CallsMetrics metrics;
  private final Clock clock;

  OutboundCallHandler(CallControl calls, CallsConfig config, Optional<JwtValidator> validator,
                      Supplier<Optional<CallKeyStore>> keyStore, CallsMetrics metrics, Clock clock) {
    this.calls = calls;
    this.config = config;
    this.validator = validator;
    this.keyStore = keyStore;
    this.metrics = metrics;
    this.clock = clock;
  }

  void handle(RoutingContext rc) {
    if (validator.isEmpty()) {
      refuse(rc, 401, "not_configured", "Unauthorized", "outbound calls are not enabled (calls.api)");
      return;
    }
    validator.get().validateBearer(rc.request().getHeader("Authorization")).onComplete(auth -> {
      if (auth.failed()) {
        refuse(rc, 401, "bad_token", "Unauthorized", "a valid bearer token is required");
        return;
      }
      AcsIdentifier target;
      try {
        target = target(rc);
      } catch (IllegalArgumentException e) {
        refuse(rc, 400, "malformed", "BadRequest", e.getMessage());
        return;
      }
      if (target.isPhoneNumber() && config.api().sourceCallerIdNumber().isEmpty()) {
        refuse(rc, 400, "no_caller_id", "BadRequest",
            "calling phone numbers needs a caller id (calls.api.sourceCallerIdNumber)");
        return;
      }
      Optional<CallKeyStore> keys = keyStore.get();
      if (keys.isEmpty()) {
        metrics.outboundCall("unavailable");
        HttpErrors.send(rc, 503, "ServiceUnavailable", "the session store is not available");
        return;
      }
      String subject = auth.result().subject().orElse("?");
      place(rc, target, keys.get(), subject);
    });
  }

  private void place(RoutingContext rc, AcsIdentifier target, CallKeyStore keys, String subject) {
    JsonObject body = CallAutomationRequests.createCall(target, config.api().sourceCallerIdNumber(),
        calls.callbackUri(), CallControl.OPERATION_CONTEXT,
        CallAutomationRequests.mediaStreamingOptions(config.mediaStreaming(), calls.mediaTransportUrl()));
    calls.automation().createCall(body).onComplete(created -> {
      if (created.failed()) {
        Throwable error = created.cause();
        boolean rejected = error instanceof CallAutomationException e && !e.transientFailure();
        metrics.outboundCall(rejected ? "rejected" : "unavailable");
        LOG.warn("outbound call to {} for {} failed: {}", target.rawId(), subject, error.getMessage());
        if (rejected) {
          HttpErrors.send(rc, 502, "AcsRejected", "ACS refused the call: " + error.getMessage());
        } else {
          rc.response().putHeader("Retry-After", "5");
          HttpErrors.send(rc, 503, "ServiceUnavailable", "ACS cannot be reached now; try again later");
        }
        return;
      }
      CallConnection connection = created.result();
      String id = connection.callConnectionId();
      CallRecord record = new CallRecord(id, "", connection.serverCallId(), target.displayId(), target.displayId(),
          target.rawId(), Optional.empty(), CallFlow.API, CallState.fromConnectionState(connection.state()),
          clock.instant());
      calls.store().saveCall(record, config.recordTtl())
          .compose(v -> keys.storeCallKey(id, new JsonObject().put("callConnectionId", id)
              .put("target", target.rawId()).put("requestedBy", subject), config.recordTtl()))
          .onComplete(stored -> {
            if (stored.failed()) {
              metrics.outboundCall("unavailable");
              LOG.warn("outbound call {} created but not stored ({}); hanging up", id, stored.cause().getMessage());
              calls.hangUp(id, "its session key could not be stored");
              HttpErrors.send(rc, 503, "ServiceUnavailable", "the call could not be registered; try again later");
              return;
            }
            metrics.outboundCall("created");
            LOG.info("outbound call {} to {} placed for {}", id, target.rawId(), subject);
            rc.response().setStatusCode(201).putHeader("content-type", "application/json")
                .end(new JsonObject().put("callConnectionId", id).put("serverCallId", connection.serverCallId())
                    .put("state", CallState.fromConnectionState(connection.state()).wireName()).encode());
          });
    });
  }

  private static AcsIdentifier target(RoutingContext rc) {
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the body must be a JSON object");
    }
    if (body == null || !(body.getValue("target") instanceof String target) || target.isBlank()
        || target.length() > MAX_TARGET_LENGTH) {
      throw new IllegalArgumentException("target (an E.164 number or an ACS raw id) is required");
    }
    AcsIdentifier identifier = AcsIdentifier.fromRawId(target.trim());
    if (identifier.isPhoneNumber() ? !AcsIdentifier.isE164(identifier.displayId())
        : !AcsIdentifier.COMMUNICATION_USER.equals(identifier.kind())) {
      throw new IllegalArgumentException("target must be an E.164 number or an ACS user (8:acs:...)");
    }
    return identifier;
  }

  private void refuse(RoutingContext rc, int status, String reason, String code, String message) {
    metrics.refused("call", reason);
    HttpErrors.send(rc, status, code, message);
  }
}
