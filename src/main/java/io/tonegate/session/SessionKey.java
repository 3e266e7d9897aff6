package io.tonegate.session;

import java.util.Locale;
import java.util.Objects;

/**
 * A validated session key: the thing an IVR or SBC stores and a call must match.
 *
 * <ul>
 *   <li>{@code pstn:<ANI>:<code>}: the caller's E.164 number and the DTMF code they will enter;</li>
 *   <li>{@code sip:<call_id>} or, when SIP codes are enabled, {@code sip:<call_id>:<code>};</li>
 *   <li>{@code acs:<call_connection_id>}: a call placed through {@code /api/call}.</li>
 * </ul>
 * {@link #toString()} and {@link #redacted()} never show the code; {@link #canonical()} does and must not be logged.
 * Build instances with {@link SessionKeyRules}, which validates.
 */
public final class SessionKey {

  /** The three key families. */
  public enum Type {
    PSTN, SIP, ACS;

    public String prefix() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Type type;
  private final String subject;
  private final String code;

  SessionKey(Type type, String subject, String code) {
    this.type = type;
    this.subject = subject;
    this.code = code;
  }

  public Type type() {
    return type;
  }

  /** The ANI, SIP Call-ID or call connection id. */
  public String subject() {
    return subject;
  }

  public boolean hasCode() {
    return code != null;
  }

  /** Length of the code, 0 when none. */
  public int codeLength() {
    return code == null ? 0 : code.length();
  }

  /** The full key with the code in clear, e.g. {@code pstn:+15551234567:823}. Only for hashing: never log it. */
  public String canonical() {
    return type.prefix() + ":" + subject + (code == null ? "" : ":" + code);
  }

  /** The key with the code masked, e.g. {@code pstn:+15551234567:***}: safe for logs and API responses. */
  public String redacted() {
    return type.prefix() + ":" + subject + (code == null ? "" : ":" + "*".repeat(code.length()));
  }

  @Override
  public String toString() {
    return redacted();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionKey k && k.type == type && k.subject.equals(subject) && Objects.equals(k.code, code);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, subject, code);
  }
}
