package io.tonegate.identity;

import java.time.Instant;
import java.util.Set;

/**
 * A freshly minted access token.
 *
 * @param token the compact JWT
 * @param identity whose token it is
 * @param scopes what it grants
 * @param issuedAt its {@code iat}
 * @param expiresOn its {@code exp} (the API's {@code expiresOn})
 * @param kid the signing key id
 */
public record IssuedToken(String token, IdentityId identity, Set<TokenScope> scopes, Instant issuedAt,
              Instant expiresOn, String kid) {

  @Override
  public String toString() {
    return "IssuedToken[identity=" + identity + ", scopes=" + scopes + ", expiresOn=" + expiresOn + ", kid=" + kid
        + ", token=redacted]";
  }
}
