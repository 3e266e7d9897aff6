package io.tonegate.identity;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies ACS HMAC-SHA256 signed requests (acs-wire.md §5) against one or two access keys.
 *
 * <p>Checks, in order, each with its own {@link HmacFailure}: an {@code HMAC-SHA256} Authorization header; the
 * signed headers include {@code x-ms-date}, {@code host} and {@code x-ms-content-sha256}; {@code x-ms-date} within
 * the clock-skew window (this is also what bounds replays); {@code x-ms-content-sha256} equal to the SHA-256 of the
 * received body; the signature, for each key and each host candidate ({@link AcsHmac#hostCandidates}: the Java SDK
 * signs the host without its port, the JS SDK with it), compared in constant time.
 *
 * <p>A request replayed unchanged inside the skew window is accepted, as ACS does; the window is the replay bound.
 *
 * <p>Two keys support rotation: publish the new key as secondary, move clients, then promote it. Thread-safe.
 *
 * <pre>{@code
 * AcsHmacVerifier verifier = new AcsHmacVerifier(List.of(primary, secondary), Duration.ofMinutes(15),
 *         List.of(), Clock.systemUTC());
 * HmacVerification v = verifier.verify(new HmacRequest(method, rawUri, headers::get, bodyBytes));
 * if (!v.ok()) { respond401(v.failure().message()); count(v.failure().tag()); }
 * }</pre>
 */
public final class AcsHmacVerifier {

  /** Default accepted distance between {@code x-ms-date} and our clock (acs-wire.md §5.2). */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(15);
  /** At most two keys are valid at once: primary and secondary, as ACS resources have. */
  public static final int MAX_KEYS = 2;

  private final List<HmacSha256> keys;
  private final Duration maxClockSkew;
  private final List<String> extraHosts;
  private final Clock clock;

  /**
   * @param keys one or two keys, primary first
   * @param maxClockSkew how far {@code x-ms-date} may be from now, in either direction
   * @param extraHosts further host values a client may have signed, e.g. the public host name when a proxy
   *     rewrites {@code Host}; usually empty
   * @param clock the time source
   */
  public AcsHmacVerifier(List<AcsAccessKey> keys, Duration maxClockSkew, List<String> extraHosts, Clock clock) {
    if (keys == null || keys.isEmpty() || keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("one or two access keys required, got "
          + (keys == null ? 0 : keys.size()));
    }
    if (maxClockSkew.isNegative() || maxClockSkew.isZero()) {
      throw new IllegalArgumentException("maxClockSkew must be positive");
    }
    this.keys = keys.stream().map(HmacSha256::new).toList();
    this.maxClockSkew = maxClockSkew;
    this.extraHosts = List.copyOf(extraHosts);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Duration maxClockSkew() {
    return maxClockSkew;
  }

  /** Verifies one request. Never throws for any request content. */
  public HmacVerification verify(HmacRequest request) {
    String authorization = request.header(AcsHmac.AUTHORIZATION_HEADER);
    if (authorization == null || authorization.isBlank()) {
      return HmacVerification.refused(HmacFailure.MISSING_AUTHORIZATION);
    }
    Optional<AcsHmac.ParsedAuthorization> parsed = AcsHmac.parseAuthorization(authorization);
    if (parsed.isEmpty()) {
      return HmacVerification.refused(HmacFailure.MALFORMED_AUTHORIZATION);
    }
    List<String> signedHeaders = parsed.get().signedHeaders();
    if (!signedHeaders.containsAll(AcsHmac.SIGNED_HEADERS)) {
      return HmacVerification.refused(HmacFailure.UNSIGNED_REQUIRED_HEADER);
    }

    Optional<Instant> date = AcsHmac.parseDate(request.header(AcsHmac.DATE_HEADER));
    if (date.isEmpty()) {
      return HmacVerification.refused(HmacFailure.MALFORMED_DATE);
    }
    Duration skew = Duration.between(date.get(), clock.instant()).abs();
    if (skew.compareTo(maxClockSkew) > 0) {
      return HmacVerification.refused(HmacFailure.DATE_OUT_OF_WINDOW);
    }

    String contentHash = request.header(AcsHmac.CONTENT_HASH_HEADER);
    if (contentHash == null) {
      return HmacVerification.refused(HmacFailure.MISSING_SIGNED_HEADER);
    }
    if (!MessageDigest.isEqual(AcsHmac.utf8(contentHash),
        AcsHmac.utf8(Base64.getEncoder().encodeToString(AcsHmac.sha256(request.body()))))) {
      return HmacVerification.refused(HmacFailure.CONTENT_HASH_MISMATCH);
    }

    List<String> hosts = hostCandidates(request.header(AcsHmac.HOST_HEADER));
    if (hosts.isEmpty()) {
      return HmacVerification.refused(HmacFailure.MISSING_SIGNED_HEADER);
    }
    // Values of the signed headers in signed order; the host slot is filled per candidate below.
    int hostSlot = signedHeaders.indexOf(AcsHmac.HOST_HEADER);
    List<String> values = new ArrayList<>(signedHeaders.size());
    for (String name : signedHeaders) {
      String value = name.equals(AcsHmac.HOST_HEADER) ? "" : request.header(name);
      if (value == null) {
        return HmacVerification.refused(HmacFailure.MISSING_SIGNED_HEADER);
      }
      values.add(value);
    }

    byte[] presented = parsed.get().signature();
    int matchedKey = -1;
    for (String host : hosts) {
      values.set(hostSlot, host);
      byte[] stringToSign = AcsHmac.utf8(AcsHmac.stringToSign(request.method(), request.pathAndQuery(), values));
      for (int k = 0; k < keys.size(); k++) {
        // No early exit on a match: every candidate costs the same, whichever key or host matched.
        if (MessageDigest.isEqual(keys.get(k).mac(stringToSign), presented) && matchedKey < 0) {
          matchedKey = k;
        }
      }
    }
    return matchedKey >= 0 ? HmacVerification.accepted(matchedKey)
        : HmacVerification.refused(HmacFailure.SIGNATURE_MISMATCH);
  }

  private List<String> hostCandidates(String hostHeader) {
    List<String> hosts = AcsHmac.hostCandidates(hostHeader);
    for (String extra : extraHosts) {
      if (!hosts.contains(extra)) {
        hosts.add(extra);
      }
    }
    return hosts;
  }
}
