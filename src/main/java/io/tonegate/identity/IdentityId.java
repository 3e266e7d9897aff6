package io.tonegate.identity;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A communication identity id as ACS writes it: {@code 8:acs:<resource id>_<unique part>} (acs-wire.md §4.5).
 *
 * <p>The unique part is 128 random bits from {@link SecureRandom}, formatted like ACS's
 * ({@code xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}), so ids can be neither guessed nor enumerated.
 *
 * @param resourceId the ACS-style immutable resource id this identity belongs to
 * @param uniquePart the random part
 */
public record IdentityId(String resourceId, String uniquePart) {

  public static final String PREFIX = "8:acs:";
  /** Longest raw id we accept on input (paths, token claims). */
  public static final int MAX_LENGTH = 160;
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9-]{1,64}");

  public IdentityId {
    Objects.requireNonNull(resourceId, "resourceId");
    Objects.requireNonNull(uniquePart, "uniquePart");
    if (!PART.matcher(resourceId).matches() || !PART.matcher(uniquePart).matches()) {
      throw new IllegalArgumentException("identity id parts must be 1-64 letters, digits or '-'");
    }
  }

  /** A new unguessable id in the given resource. */
  public static IdentityId generate(String resourceId, SecureRandom random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String hex = HexFormat.of().formatHex(bytes);
    String unique = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20);
    return new IdentityId(resourceId, unique);
  }

  /** Parses a raw id ({@code 8:acs:...}); empty if it is not one of ours in form. */
  public static Optional<IdentityId> parse(String raw) {
    if (raw == null || raw.length() > MAX_LENGTH || !raw.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = raw.substring(PREFIX.length());
    int underscore = rest.indexOf('_');
    if (underscore <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(new IdentityId(rest.substring(0, underscore), rest.substring(underscore + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Parses the {@code skypeid} claim form ({@code acs:...}, the raw id without {@code 8:}). */
  public static Optional<IdentityId> fromSkypeId(String skypeId) {
    return skypeId == null ? Optional.empty() : parse("8:" + skypeId);
  }

  /** The raw id, {@code 8:acs:<resource>_<unique>}. */
  public String rawId() {
    return PREFIX + resourceId + "_" + uniquePart;
  }

  /** The {@code skypeid} token claim: the raw id without the {@code 8:} prefix. */
  public String skypeId() {
    return rawId().substring(2);
  }

  @Override
  public String toString() {
    return rawId();
  }
}
