package io.tonegate.session;

import java.util.regex.Pattern;

/**
 * Validates and builds {@link SessionKey}s: format, lengths, allowed characters, E.164 caller numbers, and code
 * lengths equal to what callers can enter (a key no caller could ever match is refused at storage time). Pure Java,
 * thread-safe.
 *
 * @param minCodeLength  shortest DTMF code
 * @param maxCodeLength  longest DTMF code
 * @param sipWithCode    SIP keys carry a code ({@code sip:<call_id>:<code>}) instead of the Call-ID alone
 */
public record SessionKeyRules(int minCodeLength, int maxCodeLength, boolean sipWithCode) {

  /** Longest key accepted in any form. */
  public static final int MAX_KEY_LENGTH = 320;
  /** Longest SIP Call-ID accepted; RFC 3261 sets no limit, real ones stay well below. */
  public static final int MAX_SIP_CALL_ID_LENGTH = 256;
  /**
   * SIP Call-ID: RFC 3261 §25.1 {@code callid = word ["@" word]} with the {@code word} characters, except {@code "}
   * and {@code \} (never seen in practice; refusing them keeps keys free of quoting).
   */
  private static final Pattern SIP_CALL_ID =
      Pattern.compile("[A-Za-z0-9\\-.!%*_+`'~()<>:/\\[\\]?{}]+(@[A-Za-z0-9\\-.!%*_+`'~()<>:/\\[\\]?{}]+)?");
  /** ACS call connection ids are GUID-like; this is the URL-safe superset accepted. */
  private static final Pattern CALL_CONNECTION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~\\-]{0,127}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  public SessionKeyRules {
    if (minCodeLength < 1 || maxCodeLength < minCodeLength || maxCodeLength > 32) {
      throw new IllegalArgumentException("code lengths must satisfy 1 <= min <= max <= 32");
    }
  }

  /** Parses a key in its string form ({@code pstn:+15551234567:823}, {@code sip:...}, {@code acs:...}). */
  public SessionKey parse(String key) {
    if (key == null || key.isEmpty()) {
      throw new InvalidSessionKeyException("missing_key", "key is required");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new InvalidSessionKeyException("key_too_long", "key must be at most " + MAX_KEY_LENGTH + " characters");
    }
    int colon = key.indexOf(':');
    String prefix = colon < 0 ? key : key.substring(0, colon);
    String rest = colon < 0 ? "" : key.substring(colon + 1);
    return switch (prefix) {
      case "pstn" -> {
        int last = rest.lastIndexOf(':');
        if (last < 0) {
          throw new InvalidSessionKeyException("bad_format", "a pstn key is pstn:<E.164 number>:<code>");
        }
        yield pstn(rest.substring(0, last), rest.substring(last + 1));
      }
      case "sip" -> {
        if (!sipWithCode) {
          yield sip(rest, null);
        }
        int last = rest.lastIndexOf(':');
        if (last < 0) {
          throw new InvalidSessionKeyException("bad_format", "a sip key is sip:<call id>:<code>");
        }
        yield sip(rest.substring(0, last), rest.substring(last + 1));
      }
      case "acs" -> acs(rest);
      default -> throw new InvalidSessionKeyException("unknown_type", "key must start with pstn:, sip: or acs:");
    };
  }

  /** A PSTN key from a canonical E.164 number and a code. */
  public SessionKey pstn(String ani, String code) {
    if (!E164.isCanonical(ani)) {
      throw new InvalidSessionKeyException("bad_ani",
          "the caller number must be E.164: '+', country code, number, at most 15 digits, no separators");
    }
    return new SessionKey(SessionKey.Type.PSTN, ani, checkCode(code));
  }

  /** A SIP key; {@code code} must be given exactly when {@link #sipWithCode} is set. */
  public SessionKey sip(String callId, String code) {
    if (callId == null || callId.isEmpty() || callId.length() > MAX_SIP_CALL_ID_LENGTH
        || !SIP_CALL_ID.matcher(callId).matches()) {
      throw new InvalidSessionKeyException("bad_sip_call_id",
          "the SIP Call-ID must be 1-" + MAX_SIP_CALL_ID_LENGTH + " RFC 3261 word characters, optionally word@word");
    }
    if (sipWithCode != (code != null)) {
      throw new InvalidSessionKeyException("bad_format",
          sipWithCode ? "sip keys carry a code: sip:<call id>:<code>" : "sip keys carry no code: sip:<call id>");
    }
    return new SessionKey(SessionKey.Type.SIP, callId, code == null ? null : checkCode(code));
  }

  /** An API-flow key for a call connection id. */
  public SessionKey acs(String callConnectionId) {
    if (callConnectionId == null || !CALL_CONNECTION_ID.matcher(callConnectionId).matches()) {
      throw new InvalidSessionKeyException("bad_call_connection_id",
          "the call connection id must be 1-128 of A-Z a-z 0-9 . _ ~ -, starting with a letter or digit");
    }
    return new SessionKey(SessionKey.Type.ACS, callConnectionId, null);
  }

  private String checkCode(String code) {
    if (code == null || !DIGITS.matcher(code).matches()) {
      throw new InvalidSessionKeyException("bad_code", "the code must be digits 0-9");
    }
    if (code.length() < minCodeLength || code.length() > maxCodeLength) {
      throw new InvalidSessionKeyException("bad_code",
          "the code must have " + minCodeLength + " to " + maxCodeLength + " digits");
    }
    return code;
  }
}
