package io.tonegate.presence;

import io.vertx.core.json.JsonObject;

/** The JSON shapes of presence on the wire (docs/presence.md): frames to subscribers, and Redis messages. */
final class PresenceJson {

  private PresenceJson() {
  }

  /** A subscriber frame: {@code type} is {@code presence} (a change) or {@code snapshot}. */
  static String frame(String type, PresenceChange change) {
    return new JsonObject()
        .put("type", type)
        .put("user", change.user())
        .put("availability", change.presence().availability())
        .put("activity", change.presence().activity())
        .put("version", change.version())
        .put("source", change.source())
        .put("publishedAt", change.publishedAt())
        .encode();
  }

  /** The REST view of one user's presence. */
  static JsonObject rest(PresenceChange change) {
    return new JsonObject()
        .put("user", change.user())
        .put("availability", change.presence().availability())
        .put("activity", change.presence().activity())
        .put("version", change.version())
        .put("source", change.source())
        .put("publishedAt", change.publishedAt());
  }

  /** A message published by presence-update.lua; null if it is not one (a foreign publisher on our channel). */
  static PresenceChange parseMessage(String payload) {
    try {
      JsonObject json = new JsonObject(payload);
      String user = json.getString("user");
      Number version = json.getNumber("version");
      Number publishedAt = json.getNumber("publishedAt");
      if (user == null || version == null) {
        return null;
      }
      return new PresenceChange(user, new Presence(json.getString("availability"), json.getString("activity")),
          version.longValue(), json.getString("source", "unknown"), publishedAt == null ? 0 : publishedAt.longValue());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
