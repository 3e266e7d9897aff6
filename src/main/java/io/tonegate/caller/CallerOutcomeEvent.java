package io.tonegate.caller;

import io.tonegate.session.StoredSession;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Optional;

/**
 * A call's caller-authentication decision, published in-process ({@link CallerEvents#subscribe}) and on the Redis
 * channel {@code <keyPrefix><caller.eventsChannel>} as {@link #toJson()}. Contains no code.
 *
 * @param state    {@code AUTHENTICATED}, {@code REJECTED} or {@code LOCKED_OUT}
 * @param outcome  the last attempt's outcome
 * @param detail   a short bounded reason, e.g. {@code caller-ani} (the limit that locked out), {@code no_call_record}
 * @param attempts attempts the call made
 * @param session  the consumed session (its stored value tells who the caller is), when authenticated
 */
public record CallerOutcomeEvent(String callConnectionId, String correlationId, CallerFlow flow,
                                 CallerAuthState state, AttemptOutcome outcome, String detail, int attempts,
                                 Optional<StoredSession> session, Instant at) {

  /** The {@code type} of the JSON event on the call-events channel. */
  public static final String TYPE = "caller.auth";

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", TYPE)
        .put("callConnectionId", callConnectionId)
        .put("correlationId", correlationId)
        .put("flow", flow == null ? null : flow.tag())
        .put("state", state.name())
        .put("outcome", outcome.tag())
        .put("detail", detail)
        .put("attempts", attempts)
        .put("at", at.toString());
    session.ifPresent(s -> json.put("session", new JsonObject()
        .put("id", s.id()).put("key", s.redacted()).put("value", s.value())));
    return json;
  }
}
