package io.tonegate.calls;

import java.util.Locale;

/**
 * How a call's caller is authenticated, stored as the call record's {@code flow}: {@code pstn} (by ANI and a code
 * typed on the keypad), {@code sip} (by the SIP Call-ID an SBC passed along) or {@code api} (a call placed through
 * {@code POST /api/call}, authorized by its {@code acs:<callConnectionId>} key).
 */
public enum CallFlow {
  PSTN, SIP, API;

  /** The value stored in Redis: {@code pstn}, {@code sip} or {@code api}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The flow of an incoming call: sip when the SBC passed a SIP Call-ID, else pstn (ANI-based). */
  public static CallFlow ofIncoming(boolean hasSipCallId) {
    return hasSipCallId ? SIP : PSTN;
  }
}
