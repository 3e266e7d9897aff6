package io.tonegate.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The token keys in force at one moment: the current key, which signs new tokens, and retired keys, which are
 * still published (JWKS) and accepted until every token they signed has expired. Immutable; rotation returns a new
 * ring, so readers never see a half-rotated state (hold it in a volatile field or an AtomicReference).
 *
 * <pre>{@code
 * ring = ring.rotate(SigningKey.generate(ES256, now, random), now, maxTokenLifetime); // old key: retired
 * ring = ring.prune(now);                                                               // drop fully expired ones
 * }</pre>
 */
public final class SigningKeyRing {

  /** A retired key and the moment after which no token it signed can still be valid. */
  public record RetiredKey(SigningKey key, Instant publishUntil) {
    public RetiredKey {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(publishUntil, "publishUntil");
    }
  }

  /** Most retired keys kept; older ones are dropped first (a bound against runaway rotation schedules). */
  public static final int MAX_RETIRED_KEYS = 8;

  private final SigningKey current;
  private final List<RetiredKey> retired;

  private SigningKeyRing(SigningKey current, List<RetiredKey> retired) {
    if (!current.canSign()) {
      throw new IllegalArgumentException("the current key must have its private half");
    }
    this.current = current;
    this.retired = List.copyOf(retired);
  }

  /** A ring with one key and nothing retired. */
  public static SigningKeyRing of(SigningKey current) {
    return new SigningKeyRing(current, List.of());
  }

  /** A ring with an explicit retired list (restored from storage). */
  public static SigningKeyRing of(SigningKey current, List<RetiredKey> retired) {
    return new SigningKeyRing(current, retired);
  }

  /** The key that signs new tokens. */
  public SigningKey current() {
    return current;
  }

  /** The retired keys, newest first. */
  public List<RetiredKey> retired() {
    return retired;
  }

  /** Every key whose tokens may still be valid, current first: what the JWKS publishes. */
  public List<SigningKey> published() {
    List<SigningKey> keys = new ArrayList<>(1 + retired.size());
    keys.add(current);
    retired.forEach(r -> keys.add(r.key()));
    return Collections.unmodifiableList(keys);
  }

  /** The key with this {@code kid}, current or retired. */
  public Optional<SigningKey> find(String kid) {
    if (current.kid().equals(kid)) {
      return Optional.of(current);
    }
    for (RetiredKey r : retired) {
      if (r.key().kid().equals(kid)) {
        return Optional.of(r.key());
      }
    }
    return Optional.empty();
  }

  /**
   * Makes {@code next} current. The old current key stays published until {@code now + maxTokenLifetime}, the
   * latest expiry of any token it can have signed (add the verifiers' clock skew to the lifetime).
   */
  public SigningKeyRing rotate(SigningKey next, Instant now, Duration maxTokenLifetime) {
    if (next.kid().equals(current.kid())) {
      return this;
    }
    List<RetiredKey> list = new ArrayList<>(retired.size() + 1);
    list.add(new RetiredKey(current.publicOnly(), now.plus(maxTokenLifetime)));
    for (RetiredKey r : retired) {
      if (!r.key().kid().equals(next.kid()) && list.size() < MAX_RETIRED_KEYS) {
        list.add(r);
      }
    }
    return new SigningKeyRing(next, list);
  }

  /** Drops retired keys whose publication period has ended. */
  public SigningKeyRing prune(Instant now) {
    List<RetiredKey> kept = retired.stream().filter(r -> r.publishUntil().isAfter(now)).toList();
    return kept.size() == retired.size() ? this : new SigningKeyRing(current, kept);
  }

  /** True when the current key is older than {@code rotateEvery} (a zero or negative period never rotates). */
  public boolean rotationDue(Instant now, Duration rotateEvery) {
    return !rotateEvery.isNegative() && !rotateEvery.isZero() && !current.createdAt().plus(rotateEvery).isAfter(now);
  }

  /** The JWKS document of {@link #published()}. */
  public String jwksJson() {
    return Jwks.toJson(published());
  }
}
