package io.tonegate.identity;

import io.tonegate.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Identities and their revocation state in Redis, one hash per identity at {@code <prefix>identity:<raw id>}:
 * {@code created} (epoch s), {@code revokedBefore} (epoch s: tokens with {@code iat <=} it are revoked),
 * {@code lastIat} (the latest {@code iat} handed out). A deleted identity becomes a tombstone
 * ({@code deleted=1}, {@code revokedBefore} far in the future) that expires once every token it had has expired.
 *
 * <p>Each operation is one atomic script, so revocation and issuing cannot interleave badly: issuing reads the
 * revocation time and moves {@code iat} past it; revoking moves the revocation time to at least {@code lastIat}, so
 * a token issued by an instance whose clock runs ahead is still revoked.
 */
final class IdentityStore {

  /** revokedBefore of a deleted identity: year 9999, after any token's iat. */
  static final long DELETED_REVOKED_BEFORE = 253_402_300_799L;

  private static final LuaScript CREATE = new LuaScript("""
      -- KEYS[1] identity; ARGV[1] now (epoch s). Returns 1, or 0 if the id exists (never, with 128 random bits).
      if redis.call('HSETNX', KEYS[1], 'created', ARGV[1]) == 0 then return 0 end
      redis.call('HSET', KEYS[1], 'lastIat', ARGV[1])
      return 1
      """);

  private static final LuaScript ISSUE = new LuaScript("""
      -- KEYS[1] identity; ARGV[1] now (epoch s). Returns the iat to use, or -1 if unknown or deleted.
      local v = redis.call('HMGET', KEYS[1], 'created', 'deleted', 'revokedBefore', 'lastIat')
      if not v[1] or v[2] then return -1 end
      local iat = tonumber(ARGV[1])
      local revoked = tonumber(v[3] or '0')
      if iat <= revoked then iat = revoked + 1 end
      if iat > tonumber(v[4] or '0') then redis.call('HSET', KEYS[1], 'lastIat', iat) end
      return iat
      """);

  private static final LuaScript REVOKE = new LuaScript("""
      -- KEYS[1] identity; ARGV[1] now (epoch s). Returns the new revokedBefore, or -1 if unknown or deleted.
      local v = redis.call('HMGET', KEYS[1], 'created', 'deleted', 'revokedBefore', 'lastIat')
      if not v[1] or v[2] then return -1 end
      local at = math.max(tonumber(ARGV[1]), tonumber(v[3] or '0'), tonumber(v[4] or '0'))
      redis.call('HSET', KEYS[1], 'revokedBefore', at)
      return at
      """);

  private static final LuaScript DELETE = new LuaScript("""
      -- KEYS[1] identity; ARGV[1] tombstone revokedBefore; ARGV[2] tombstone TTL (s). Returns 1, or 0 if unknown.
      local v = redis.call('HMGET', KEYS[1], 'created', 'deleted')
      if not v[1] or v[2] then return 0 end
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], 'deleted', '1', 'revokedBefore', ARGV[1])
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      return 1
      """);

  private static final LuaScript CLAIM_CUSTOM_ID = new LuaScript("""
      -- KEYS[1] customId mapping; ARGV[1] candidate raw id. Returns the mapped raw id (the candidate if it won).
      local current = redis.call('GET', KEYS[1])
      if current then return current end
      redis.call('SET', KEYS[1], ARGV[1])
      return ARGV[1]
      """);

  private static final LuaScript ENSURE = new LuaScript("""
      -- KEYS[1] identity; ARGV[1] now (epoch s); ARGV[2] customId. Returns 1 created, 0 existed, -1 deleted.
      local v = redis.call('HMGET', KEYS[1], 'created', 'deleted')
      if v[2] then return -1 end
      if v[1] then return 0 end
      redis.call('HSET', KEYS[1], 'created', ARGV[1], 'lastIat', ARGV[1], 'customId', ARGV[2])
      return 1
      """);

  private static final LuaScript REPLACE_CUSTOM_ID = new LuaScript("""
      -- KEYS[1] customId mapping; ARGV[1] expected raw id; ARGV[2] new raw id ('' deletes). Returns the mapping now.
      local current = redis.call('GET', KEYS[1])
      if current ~= ARGV[1] then return current or '' end
      if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
      return ARGV[2]
      """);

  /** Attempts to map a customId when the mapped identity keeps turning out deleted (concurrent deletes). */
  private static final int CUSTOM_ID_ATTEMPTS = 3;

  private final Redis redis;
  private final String keyPrefix;
  private final Duration tombstoneTtl;

  /**
   * @param tombstoneTtl how long a deleted identity's tombstone is kept: the longest token lifetime plus skew
   */
  IdentityStore(Redis redis, String keyPrefix, Duration tombstoneTtl) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.tombstoneTtl = tombstoneTtl;
  }

  String key(String rawId) {
    return keyPrefix + "identity:" + rawId;
  }

  /**
   * The mapping key of a customId: {@code <prefix>identity-custom:<SHA-256 hex of the customId>}, so any customId
   * (an OIDC issuer and subject, an e-mail address) makes a short key of safe characters.
   */
  String customKey(String customId) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(customId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return keyPrefix + "identity-custom:" + java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The identity mapped to {@code customId}, created on first use. Concurrent first calls (on any instance) agree on
   * one identity: the mapping is claimed atomically ({@code candidate} is used only if it wins), then the identity
   * is created if missing, exactly once. Each step is one single-key script, so it works on Redis Cluster. A mapping
   * to a deleted identity is replaced by a new identity.
   */
  Future<CustomIdentity> identityForCustomId(String customId, java.util.function.Supplier<IdentityId> candidates,
                                             Instant now) {
    return claimCustomId(customId, candidates, now, CUSTOM_ID_ATTEMPTS);
  }

  private Future<CustomIdentity> claimCustomId(String customId, java.util.function.Supplier<IdentityId> candidates,
                                               Instant now, int attemptsLeft) {
    String mapKey = customKey(customId);
    String seconds = Long.toString(now.getEpochSecond());
    return CLAIM_CUSTOM_ID.run(redis, List.of(mapKey), List.of(candidates.get().rawId()))
        .compose(mapped -> {
          IdentityId id = IdentityId.parse(mapped.toString()).orElse(null);
          if (id == null) {
            return Future.failedFuture(new IllegalStateException("customId mapping holds no identity id"));
          }
          return ENSURE.run(redis, List.of(key(id.rawId())), List.of(seconds, customId)).compose(ensured -> {
            long state = ensured.toLong();
            if (state >= 0) {
              return Future.succeededFuture(new CustomIdentity(id, state == 1));
            }
            if (attemptsLeft <= 1) {
              return Future.failedFuture(new IllegalStateException("customId keeps mapping to deleted identities"));
            }
            // The mapped identity was deleted: forget it (unless someone else already replaced it), then map anew.
            return REPLACE_CUSTOM_ID.run(redis, List.of(mapKey), List.of(id.rawId(), ""))
                .compose(ignored -> claimCustomId(customId, candidates, now, attemptsLeft - 1));
          });
        });
  }

  /** The customId an identity was created for, if any (it never changes). */
  Future<Optional<String>> customIdOf(IdentityId id) {
    return redis.send(Request.cmd(Command.HGET).arg(key(id.rawId())).arg("customId"))
        .map(r -> r == null ? Optional.<String>empty() : Optional.of(r.toString()));
  }

  /** Removes the mapping of {@code customId} if it still names {@code id} (after the identity was deleted). */
  Future<Void> releaseCustomId(String customId, IdentityId id) {
    return REPLACE_CUSTOM_ID.run(redis, List.of(customKey(customId)), List.of(id.rawId(), "")).mapEmpty();
  }

  /** Stores a new identity; false if the id was taken. */
  Future<Boolean> create(IdentityId id, Instant now) {
    return CREATE.run(redis, List.of(key(id.rawId())), List.of(Long.toString(now.getEpochSecond())))
        .map(r -> r.toLong() == 1);
  }

  /** The iat for a new token of this identity (strictly after its revocation), or empty if unknown/deleted. */
  Future<Optional<Instant>> reserveIssue(IdentityId id, Instant now) {
    return ISSUE.run(redis, List.of(key(id.rawId())), List.of(Long.toString(now.getEpochSecond())))
        .map(r -> r.toLong() < 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(r.toLong())));
  }

  /** Revokes every token issued so far; false if the identity is unknown or deleted. */
  Future<Boolean> revoke(IdentityId id, Instant now) {
    return REVOKE.run(redis, List.of(key(id.rawId())), List.of(Long.toString(now.getEpochSecond())))
        .map(r -> r.toLong() >= 0);
  }

  /** Deletes the identity, revoking its tokens; false if unknown or already deleted. */
  Future<Boolean> delete(IdentityId id) {
    return DELETE.run(redis, List.of(key(id.rawId())),
            List.of(Long.toString(DELETED_REVOKED_BEFORE), Long.toString(tombstoneTtl.toSeconds())))
        .map(r -> r.toLong() == 1);
  }

  /**
   * The identity's revocation time for {@link RevocationLookup}: empty if never revoked; far future if deleted or
   * unknown (a valid token of an identity Redis does not know is refused: fail closed).
   */
  Future<Optional<Instant>> revokedBefore(String rawId) {
    return redis.send(Request.cmd(Command.HMGET).arg(key(rawId)).arg("created").arg("revokedBefore").arg("deleted"))
        .map(IdentityStore::revocation);
  }

  private static Optional<Instant> revocation(Response r) {
    boolean known = r.get(0) != null;
    boolean deleted = r.get(2) != null;
    if (!known || deleted) {
      return Optional.of(Instant.ofEpochSecond(DELETED_REVOKED_BEFORE));
    }
    return r.get(1) == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(r.get(1).toLong()));
  }
}
