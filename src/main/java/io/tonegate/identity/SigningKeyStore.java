package io.tonegate.identity;

import io.tonegate.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated token signing keys, shared by every gateway instance through one Redis hash at
 * {@code <prefix>identity:signing-keys}: {@code current} holds the signing key's kid, {@code k:<kid>} each key as
 * {@code <alg>;<created epoch s>;<PKCS#8 base64>}, and {@code u:<kid>} the end of a retired key's publication.
 *
 * <p>The first instance to start creates the key (HSETNX); rotation is a compare-and-set on {@code current}, so
 * when several instances find rotation due at once exactly one new key wins and all adopt it. Retired keys are
 * dropped once their publication ends. The private keys are as sensitive as the session keys Redis already holds:
 * protect Redis accordingly (AUTH, TLS, network), or configure {@code identity.tokens.signingKeyPath} to keep the
 * signing key in a file instead.
 */
final class SigningKeyStore {

  private static final Logger LOG = LoggerFactory.getLogger(SigningKeyStore.class);

  private static final LuaScript INIT = new LuaScript("""
      -- KEYS[1] key hash; ARGV[1] kid; ARGV[2] entry. Installs the key unless one is current; returns the hash.
      if redis.call('HSETNX', KEYS[1], 'current', ARGV[1]) == 1 then
        redis.call('HSET', KEYS[1], 'k:' .. ARGV[1], ARGV[2])
      end
      return redis.call('HGETALL', KEYS[1])
      """);

  private static final LuaScript ROTATE = new LuaScript("""
      -- KEYS[1] key hash; ARGV[1] expected current kid; ARGV[2] new kid; ARGV[3] new entry; ARGV[4] old key's
      -- publication end (epoch s). Rotates only if the current key is still the expected one; returns the hash.
      if redis.call('HGET', KEYS[1], 'current') == ARGV[1] then
        redis.call('HSET', KEYS[1], 'current', ARGV[2], 'k:' .. ARGV[2], ARGV[3], 'u:' .. ARGV[1], ARGV[4])
      end
      return redis.call('HGETALL', KEYS[1])
      """);

  private final Vertx vertx;
  private final Redis redis;
  private final String key;
  private final JwtAlgorithm algorithm;
  private final Duration rotateEvery;
  private final Duration retiredPublication;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  SigningKeyStore(Vertx vertx, Redis redis, String keyPrefix, JwtAlgorithm algorithm, Duration rotateEvery,
                  Duration retiredPublication, Clock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.key = keyPrefix + "identity:signing-keys";
    this.algorithm = algorithm;
    this.rotateEvery = rotateEvery;
    this.retiredPublication = retiredPublication;
    this.clock = clock;
  }

  /** Reads the ring, creating the first key or rotating when due; drops retired keys past publication. */
  Future<SigningKeyRing> load() {
    return redis.send(Request.cmd(Command.HGETALL).arg(key))
        .compose(response -> {
          Map<String, String> hash = toMap(response);
          if (!hash.containsKey("current")) {
            return generate().compose(k -> INIT.run(redis, List.of(key), List.of(k.kid(), entry(k))))
                .map(SigningKeyStore::toMap);
          }
          return Future.succeededFuture(hash);
        })
        .compose(hash -> {
          SigningKeyRing ring = parse(hash);
          Instant now = clock.instant();
          boolean wrongAlgorithm = ring.current().algorithm() != algorithm;
          if (!wrongAlgorithm && !ring.rotationDue(now, rotateEvery)) {
            return Future.succeededFuture(ring);
          }
          String expected = ring.current().kid();
          return generate()
              .compose(next -> ROTATE.run(redis, List.of(key), List.of(expected, next.kid(), entry(next),
                  Long.toString(now.plus(retiredPublication).getEpochSecond()))))
              .map(response -> {
                SigningKeyRing rotated = parse(toMap(response));
                if (!rotated.current().kid().equals(expected)) {
                  LOG.info("token signing key rotated: {} -> {}", expected, rotated.current().kid());
                }
                return rotated;
              });
        });
  }

  /** Key generation takes milliseconds (RSA: up to a second): off the event loop. */
  private Future<SigningKey> generate() {
    return vertx.executeBlocking(() -> SigningKey.generate(algorithm, clock.instant(), random), false);
  }

  private SigningKeyRing parse(Map<String, String> hash) {
    Instant now = clock.instant();
    String currentKid = hash.get("current");
    SigningKey current = null;
    List<SigningKeyRing.RetiredKey> retired = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    for (Map.Entry<String, String> e : hash.entrySet()) {
      if (!e.getKey().startsWith("k:")) {
        continue;
      }
      String kid = e.getKey().substring(2);
      if (kid.equals(currentKid)) {
        current = fromEntry(e.getValue());
        continue;
      }
      String until = hash.get("u:" + kid);
      Instant publishUntil = until == null ? now : Instant.ofEpochSecond(Long.parseLong(until));
      if (publishUntil.isAfter(now)) {
        retired.add(new SigningKeyRing.RetiredKey(fromEntry(e.getValue()).publicOnly(), publishUntil));
      } else {
        expired.add(kid);
      }
    }
    if (current == null) {
      throw new IllegalStateException("Redis key ring " + key + " names current key " + currentKid + " but lacks it");
    }
    if (!expired.isEmpty()) {
      Request del = Request.cmd(Command.HDEL).arg(key);
      expired.forEach(kid -> del.arg("k:" + kid).arg("u:" + kid));
      redis.send(del).onFailure(err -> LOG.warn("could not drop expired signing keys: {}", err.toString()));
    }
    retired.sort((a, b) -> b.publishUntil().compareTo(a.publishUntil()));
    if (retired.size() > SigningKeyRing.MAX_RETIRED_KEYS) {
      retired = retired.subList(0, SigningKeyRing.MAX_RETIRED_KEYS);
    }
    return SigningKeyRing.of(current, retired);
  }

  private static String entry(SigningKey k) {
    return k.algorithm().name() + ";" + k.createdAt().getEpochSecond() + ";"
        + Base64.getEncoder().encodeToString(k.privateKeyPkcs8());
  }

  private static SigningKey fromEntry(String entry) {
    String[] parts = entry.split(";", 3);
    JwtAlgorithm alg = JwtAlgorithm.fromJwsName(parts[0])
        .orElseThrow(() -> new IllegalStateException("unknown signing key algorithm in Redis: " + parts[0]));
    return SigningKey.fromPkcs8(alg, Base64.getDecoder().decode(parts[2]), Instant.ofEpochSecond(Long.parseLong(parts[1])));
  }

  private static Map<String, String> toMap(Response response) {
    Map<String, String> map = new HashMap<>();
    if (response == null) {
      return map;
    }
    if (response.type() == io.vertx.redis.client.ResponseType.MULTI && response.isMap()) {
      for (String k : response.getKeys()) {
        map.put(k, response.get(k).toString());
      }
      return map;
    }
    for (int i = 0; i + 1 < response.size(); i += 2) {
      map.put(response.get(i).toString(), response.get(i + 1).toString());
    }
    return map;
  }
}
