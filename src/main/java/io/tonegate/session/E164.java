package io.tonegate.session;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Telephone numbers in E.164 form ({@code +} country code and subscriber number, at most 15 digits, ITU-T E.164 §6),
 * the form caller numbers (ANI) take in PSTN session keys.
 */
public final class E164 {

  /** ITU-T E.164: at most 15 digits; a country code never starts with 0. */
  private static final Pattern CANONICAL = Pattern.compile("\\+[1-9][0-9]{1,14}");
  /** Visual separators people and some systems put in numbers. */
  private static final Pattern SEPARATORS = Pattern.compile("[\\s().\\-]");
  /** ACS raw id prefix of a phone number identifier (acs-wire.md §2.1). */
  private static final String ACS_PHONE_PREFIX = "4:";

  private E164() {
  }

  /** Whether {@code number} is already canonical: what {@code /api/sessions} requires. */
  public static boolean isCanonical(String number) {
    return number != null && CANONICAL.matcher(number).matches();
  }

  /**
   * Normalises a caller number as a call carries it: an ACS raw id ({@code 4:+15551234567}), with or without visual
   * separators, or with the {@code 00} international prefix. Empty when it is not a phone number (anonymous, an ACS
   * user, a SIP URI).
   */
  public static Optional<String> normalise(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String number = raw.trim();
    if (number.startsWith(ACS_PHONE_PREFIX)) {
      number = number.substring(ACS_PHONE_PREFIX.length());
    }
    if (number.length() > 64) {
      return Optional.empty();
    }
    number = SEPARATORS.matcher(number).replaceAll("");
    if (number.startsWith("00")) {
      number = "+" + number.substring(2);
    }
    return isCanonical(number) ? Optional.of(number) : Optional.empty();
  }
}
