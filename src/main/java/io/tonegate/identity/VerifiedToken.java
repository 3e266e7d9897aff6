package io.tonegate.identity;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A token whose signature, algorithm, validity period, issuer and audience were checked.
 *
 * @param identity the identity it was issued to ({@code skypeid} claim)
 * @param scopes the granted scopes ({@code acsScope}; names this build does not know are left out)
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}
 * @param kid the key that signed it
 * @param claims every payload claim as parsed (String, Long, Double, Boolean, List, Map)
 */
public record VerifiedToken(IdentityId identity, Set<TokenScope> scopes, Instant issuedAt, Instant expiresAt,
              String kid, Map<String, Object> claims) {

  /** The raw identity id, {@code 8:acs:...}. */
  public String identityId() {
    return identity.rawId();
  }

  public boolean hasScope(TokenScope scope) {
    return scopes.contains(scope);
  }

  /**
   * True when the identity's tokens were revoked at or after this token's issue time: a token is revoked when
   * its {@code iat} (whole seconds) is at or before the revocation second.
   *
   * @param revokedBefore the identity's revocation time, or {@code null} if never revoked
   */
  public boolean isRevokedBy(Instant revokedBefore) {
    return revokedBefore != null && issuedAt.getEpochSecond() <= revokedBefore.getEpochSecond();
  }
}
