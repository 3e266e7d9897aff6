package io.tonegate.caller;

import java.util.Locale;
import java.util.Optional;

/** How a call proves who it is; decided from the call record's {@code flow} field. */
public enum CallerFlow {
  /** PSTN: the caller's number (ANI) plus a DTMF code: {@code pstn:<ANI>:<code>}. */
  PSTN,
  /** SIP: the SIP Call-ID ({@code sip:<call_id>}), optionally with a DTMF code. */
  SIP,
  /** A call placed through {@code /api/call}: {@code acs:<call_connection_id>}, no DTMF. */
  API;

  /** The metric tag and call-record value, e.g. {@code pstn}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<CallerFlow> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (CallerFlow flow : values()) {
      if (flow.tag().equalsIgnoreCase(value.trim())) {
        return Optional.of(flow);
      }
    }
    return Optional.empty();
  }
}
