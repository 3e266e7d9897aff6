package io.tonegate.calls;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Stores the {@code acs:<callConnectionId>} session key of a call placed through {@code POST /api/call}, which the
 * API flow of caller authentication then finds by direct lookup. Implemented over the session store.
 */
@FunctionalInterface
public interface CallKeyStore {

  /** @param value what to keep with the key (the target, who asked) */
  Future<Void> storeCallKey(String callConnectionId, JsonObject value, Duration ttl);
}
