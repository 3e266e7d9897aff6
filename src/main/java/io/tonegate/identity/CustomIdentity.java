package io.tonegate.identity;

/**
 * The identity mapped to a customId (bring your own identity: an app's user id, or an OIDC issuer and subject).
 *
 * @param id the identity
 * @param created whether this request created it (first use of the customId)
 */
public record CustomIdentity(IdentityId id, boolean created) {
}
