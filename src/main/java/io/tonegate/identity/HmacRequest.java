package io.tonegate.identity;

import java.util.Objects;
import java.util.function.Function;

/**
 * What {@link AcsHmacVerifier} needs of a received request, free of any HTTP framework.
 *
 * @param method the HTTP method
 * @param pathAndQuery the raw request target as received (path, then {@code ?query} if any), not decoded
 * @param headers case-insensitive header lookup; {@code null} for an absent header. For HTTP/2 map {@code host} to
 *     the {@code :authority}.
 * @param body the complete body bytes (empty array for none)
 */
public record HmacRequest(String method, String pathAndQuery, Function<String, String> headers, byte[] body) {

  public HmacRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    Objects.requireNonNull(headers, "headers");
    body = body == null ? new byte[0] : body;
  }

  String header(String name) {
    return headers.apply(name);
  }
}
