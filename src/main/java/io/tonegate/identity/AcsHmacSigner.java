package io.tonegate.identity;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs outbound HTTP requests with the ACS HMAC-SHA256 scheme, byte for byte as the Azure Java SDK does
 * (acs-wire.md §5). Use it for any call to ACS (Call Automation REST) or to a Tonegate that expects HMAC.
 *
 * <pre>{@code
 * AcsHmacSigner signer = new AcsHmacSigner(AcsAccessKey.fromBase64(key), Clock.systemUTC());
 * AcsHmacHeaders h = signer.sign("POST", URI.create(endpoint + "calling/callConnections?api-version=2023-03-06"), body);
 * h.asMap().forEach(request::putHeader);   // x-ms-date, x-ms-content-sha256, Authorization (and host: see below)
 * }</pre>
 *
 * <p>The signed host is the URI's host <em>without</em> the port, as the Java SDK signs it. Tonegate's verifier
 * accepts that whatever port the request goes to; real ACS is on port 443, where both agree. The {@code host}
 * entry in {@link AcsHmacHeaders#asMap()} is informational: let the HTTP client write the {@code Host} header.
 *
 * <p>Thread-safe; cheap to call (one SHA-256 and one HMAC).
 */
public final class AcsHmacSigner {

  private final HmacSha256 hmac;
  private final Clock clock;

  public AcsHmacSigner(AcsAccessKey key, Clock clock) {
    this.hmac = new HmacSha256(Objects.requireNonNull(key, "key"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Signs a request to {@code uri}: the path and query are taken raw ({@code getRawPath() + "?" + getRawQuery()},
   * as {@code URL.getPath()/getQuery()} give them to the SDK) and the host without port.
   */
  public AcsHmacHeaders sign(String method, URI uri, byte[] body) {
    String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return sign(method, pathAndQuery, uri.getHost(), body);
  }

  /** Signs with the current time; {@code host} is used exactly as given. */
  public AcsHmacHeaders sign(String method, String pathAndQuery, String host, byte[] body) {
    return sign(method, pathAndQuery, host, AcsHmac.contentHash(body), clock.instant());
  }

  /** Signs with an explicit date and precomputed content hash (tests, replays of recorded requests). */
  public AcsHmacHeaders sign(String method, String pathAndQuery, String host, String contentHash, Instant date) {
    String xMsDate = AcsHmac.formatDate(date);
    String stringToSign = AcsHmac.stringToSign(method, pathAndQuery, List.of(xMsDate, host, contentHash));
    String signature = Base64.getEncoder().encodeToString(hmac.mac(AcsHmac.utf8(stringToSign)));
    return new AcsHmacHeaders(xMsDate, host, contentHash, AcsHmac.authorization(signature), stringToSign);
  }

  /**
   * The headers of one signed request.
   *
   * @param date the {@code x-ms-date} value
   * @param host the host that was signed
   * @param contentHash the {@code x-ms-content-sha256} value
   * @param authorization the {@code Authorization} value
   * @param stringToSign the exact string that was signed (for debugging; not a secret, but never send it)
   */
  public record AcsHmacHeaders(String date, String host, String contentHash, String authorization,
                 String stringToSign) {

    /** The three headers to put on the request: {@code x-ms-date}, {@code x-ms-content-sha256}, Authorization. */
    public Map<String, String> asMap() {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(AcsHmac.DATE_HEADER, date);
      headers.put(AcsHmac.CONTENT_HASH_HEADER, contentHash);
      headers.put(AcsHmac.AUTHORIZATION_HEADER, authorization);
      return headers;
    }
  }
}
