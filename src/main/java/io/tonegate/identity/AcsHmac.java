package io.tonegate.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The ACS HMAC-SHA256 request-signing scheme, as {@code HmacAuthenticationPolicy} in azure-communication-common
 * 1.2.12 implements it (acs-wire.md §5.1, §5.2). Shared by {@link AcsHmacSigner} and {@link AcsHmacVerifier}.
 *
 * <pre>
 * x-ms-content-sha256: base64(SHA-256(body))
 * x-ms-date:           RFC 1123, e.g. "Sun, 22 Nov 2026 12:56:59 GMT"
 * string-to-sign:      METHOD + "\n" + pathAndQuery + "\n" + x-ms-date + ";" + host + ";" + x-ms-content-sha256
 * Authorization:       HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=base64(HMAC)
 * </pre>
 */
public final class AcsHmac {

  public static final String DATE_HEADER = "x-ms-date";
  public static final String CONTENT_HASH_HEADER = "x-ms-content-sha256";
  public static final String HOST_HEADER = "host";
  public static final String AUTHORIZATION_HEADER = "Authorization";
  /** The Java SDK's debug header; never trusted, only useful when comparing strings-to-sign. */
  public static final String STRING_TO_SIGN_DEBUG_HEADER = "x-ms-hmac-string-to-sign-base64";
  public static final String SCHEME = "HMAC-SHA256";
  /** Signed headers in the order every ACS SDK signs them; the order matters for the string-to-sign. */
  public static final List<String> SIGNED_HEADERS = List.of(DATE_HEADER, HOST_HEADER, CONTENT_HASH_HEADER);
  /** base64(SHA-256 of zero bytes): the content hash of every body-less request. */
  public static final String EMPTY_BODY_CONTENT_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

  /** Longest Authorization header we parse; a real one is about 120 characters. */
  static final int MAX_AUTHORIZATION_LENGTH = 2048;
  /** Most signed headers we accept in one request (bounds the work per request). */
  static final int MAX_SIGNED_HEADERS = 16;

  /** The SDK's own formatter: "E, dd MMM yyyy HH:mm:ss 'GMT'" in the US locale (two-digit day). */
  private static final DateTimeFormatter DATE_FORMAT =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private AcsHmac() {
  }

  /** Formats an instant as the SDK formats {@code x-ms-date}. */
  public static String formatDate(Instant instant) {
    return DATE_FORMAT.format(instant);
  }

  /** Parses an RFC 1123 date ({@code x-ms-date}); empty when it does not parse. */
  public static Optional<Instant> parseDate(String value) {
    if (value == null || value.length() > 64) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim())));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** base64(SHA-256(body)): the {@code x-ms-content-sha256} value. */
  public static String contentHash(byte[] body) {
    return Base64.getEncoder().encodeToString(sha256(body));
  }

  static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /**
   * The string-to-sign: {@code METHOD\npathAndQuery\nvalue1;value2;...}, with the values of the signed headers in
   * their signed order.
   */
  public static String stringToSign(String method, String pathAndQuery, List<String> signedHeaderValues) {
    return method.toUpperCase(Locale.US) + "\n" + pathAndQuery + "\n" + String.join(";", signedHeaderValues);
  }

  /** The {@code Authorization} header value for a signature over {@link #SIGNED_HEADERS}. */
  public static String authorization(String base64Signature) {
    return SCHEME + " SignedHeaders=" + String.join(";", SIGNED_HEADERS) + "&Signature=" + base64Signature;
  }

  /**
   * The host values a client may have signed for a received {@code Host} header: the header verbatim (JS SDK:
   * {@code url.host}, with a non-default port) and the host without port (Java SDK: {@code url.getHost()}),
   * acs-wire.md §5.2. IPv6 literals keep their brackets, as {@code URL.getHost()} returns them.
   */
  public static List<String> hostCandidates(String hostHeader) {
    List<String> candidates = new ArrayList<>(2);
    if (hostHeader == null || hostHeader.isEmpty()) {
      return candidates;
    }
    candidates.add(hostHeader);
    int colon = hostHeader.lastIndexOf(':');
    int bracket = hostHeader.lastIndexOf(']');
    if (colon > 0 && colon > bracket) {
      candidates.add(hostHeader.substring(0, colon));
    }
    return candidates;
  }

  /** A parsed {@code Authorization: HMAC-SHA256 SignedHeaders=...&Signature=...} header. */
  record ParsedAuthorization(List<String> signedHeaders, byte[] signature) {
  }

  /** Parses the Authorization header; empty when it is not a well-formed HMAC-SHA256 header. */
  static Optional<ParsedAuthorization> parseAuthorization(String header) {
    if (header == null || header.length() > MAX_AUTHORIZATION_LENGTH) {
      return Optional.empty();
    }
    String value = header.trim();
    int space = value.indexOf(' ');
    if (space <= 0 || !value.substring(0, space).equalsIgnoreCase(SCHEME)) {
      return Optional.empty();
    }
    String signedHeaders = null;
    String signature = null;
    for (String param : value.substring(space + 1).trim().split("&")) {
      int eq = param.indexOf('=');   // the first '=': base64 padding follows later
      if (eq <= 0) {
        return Optional.empty();
      }
      String name = param.substring(0, eq).trim();
      String paramValue = param.substring(eq + 1).trim();
      if (name.equalsIgnoreCase("SignedHeaders") && signedHeaders == null) {
        signedHeaders = paramValue;
      } else if (name.equalsIgnoreCase("Signature") && signature == null) {
        signature = paramValue;
      } else {
        return Optional.empty();
      }
    }
    if (signedHeaders == null || signedHeaders.isEmpty() || signature == null || signature.isEmpty()) {
      return Optional.empty();
    }
    List<String> names = new ArrayList<>();
    for (String name : signedHeaders.split(";", -1)) {
      String lower = name.trim().toLowerCase(Locale.ROOT);
      if (lower.isEmpty() || names.contains(lower) || names.size() == MAX_SIGNED_HEADERS) {
        return Optional.empty();
      }
      names.add(lower);
    }
    byte[] signatureBytes;
    try {
      signatureBytes = Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (signatureBytes.length != 32) {
      return Optional.empty();
    }
    return Optional.of(new ParsedAuthorization(List.copyOf(names), signatureBytes));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
