package io.tonegate.presence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Users registered for polling, in one Redis hash: user -> {@code {"remoteId": ..., "refreshToken": "v1:..."}}.
 * Refresh tokens are stored only encrypted ({@link TokenCipher}, the user id as associated data) and never returned
 * by the API.
 */
final class PollRegistry {

  /** One registration. {@code refreshToken} is the plaintext, present only in memory on the poller. */
  record Registration(String user, String remoteId, Optional<String> refreshToken) {
  }

  private final Redis redis;
  private final String key;
  private final Optional<TokenCipher> cipher;
  private final int maxUsers;

  PollRegistry(Redis redis, PresenceKeys keys, Optional<TokenCipher> cipher, int maxUsers) {
    this.redis = redis;
    this.key = keys.pollUsers();
    this.cipher = cipher;
    this.maxUsers = maxUsers;
  }

  boolean canStoreTokens() {
    return cipher.isPresent();
  }

  /** Registers or replaces; fails with {@link IllegalStateException} when the registry is full. */
  Future<Void> register(String user, String remoteId, Optional<String> refreshToken) {
    JsonObject value = new JsonObject().put("remoteId", remoteId);
    refreshToken.ifPresent(token -> value.put("refreshToken", cipher.orElseThrow().encrypt(token, user)));
    return redis.send(Request.cmd(Command.HLEN).arg(key)).compose(size -> {
      if (size.toLong() >= maxUsers) {
        return redis.send(Request.cmd(Command.HEXISTS).arg(key).arg(user)).compose(exists -> exists.toInteger() == 1
            ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("at most " + maxUsers + " users may be registered")));
      }
      return Future.succeededFuture();
    }).compose(v -> redis.send(Request.cmd(Command.HSET).arg(key).arg(user).arg(value.encode()))).mapEmpty();
  }

  /** True when the user was registered. */
  Future<Boolean> unregister(String user) {
    return redis.send(Request.cmd(Command.HDEL).arg(key).arg(user)).map(r -> r.toInteger() == 1);
  }

  /** Stores a rotated refresh token (the OAuth server may issue a new one with each use). */
  Future<Void> updateRefreshToken(String user, String remoteId, String refreshToken) {
    return register(user, remoteId, Optional.of(refreshToken));
  }

  /** Every registration; refresh tokens decrypted (a value that does not decrypt is left out of the token). */
  Future<List<Registration>> all() {
    return redis.send(Request.cmd(Command.HGETALL).arg(key)).map(this::parse);
  }

  private List<Registration> parse(Response map) {
    List<Registration> out = new ArrayList<>();
    if (map == null) {
      return out;
    }
    for (String user : map.getKeys()) {
      try {
        JsonObject value = new JsonObject(map.get(user).toString());
        Optional<String> token = Optional.ofNullable(value.getString("refreshToken"))
            .flatMap(enc -> cipher.map(c -> c.decrypt(enc, user)));
        out.add(new Registration(user, value.getString("remoteId", user), token));
      } catch (RuntimeException e) {
        out.add(new Registration(user, user, Optional.empty())); // unreadable token: polled without one, counted
      }
    }
    return out;
  }
}
