package io.tonegate.session;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A session key's record as stored in Redis (never with the code): what the IVR or SBC said about the caller.
 *
 * @param id         the key's digest: its public id (safe to log) and Redis name
 * @param type       the key family
 * @param redacted   the key with the code masked, e.g. {@code pstn:+15551234567:***}
 * @param value      the stored JSON (who, purpose, metadata: the client's choice)
 * @param createdAt  when it was stored
 * @param expiresAt  when its TTL ends
 * @param createdBy  who stored it (the authenticated client's label)
 */
public record StoredSession(String id, SessionKey.Type type, String redacted, JsonObject value, Instant createdAt,
                            Instant expiresAt, String createdBy) {

  /** Format version of the stored JSON, so a later layout can read older records. */
  static final int FORMAT = 1;

  JsonObject toJson() {
    return new JsonObject()
        .put("v", FORMAT)
        .put("type", type.prefix())
        .put("key", redacted)
        .put("value", value)
        .put("createdAt", createdAt.toString())
        .put("expiresAt", expiresAt.toString())
        .put("createdBy", createdBy);
  }

  static StoredSession fromJson(String id, JsonObject json) {
    return new StoredSession(id,
        SessionKey.Type.valueOf(json.getString("type").toUpperCase(java.util.Locale.ROOT)),
        json.getString("key"),
        json.getJsonObject("value", new JsonObject()),
        Instant.parse(json.getString("createdAt")),
        Instant.parse(json.getString("expiresAt")),
        json.getString("createdBy", ""));
  }

  /** The record as the API shows it to operators. */
  public JsonObject toApiJson() {
    return new JsonObject()
        .put("id", id)
        .put("key", redacted)
        .put("type", type.prefix())
        .put("value", value)
        .put("createdAt", createdAt.toString())
        .put("expiresAt", expiresAt.toString())
        .put("createdBy", createdBy);
  }
}
