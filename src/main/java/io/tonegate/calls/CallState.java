package io.tonegate.calls;

import java.util.Locale;
import java.util.Optional;

/**
 * The call's connection state kept in its record (the Call Automation {@code CallConnectionStateModel}, reduced):
 * a later state never gives way to an earlier one, whatever order the answer response and callbacks arrive in.
 */
public enum CallState {
  CONNECTING, CONNECTED, DISCONNECTED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state for a Call Automation {@code callConnectionState} value; unknown values are connecting. */
  public static CallState fromConnectionState(String value) {
    if (value == null) {
      return CONNECTING;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "connected", "transferring", "transferaccepted" -> CONNECTED;
      case "disconnecting", "disconnected" -> DISCONNECTED;
      default -> CONNECTING;
    };
  }

  public static Optional<CallState> fromWireName(String value) {
    for (CallState state : values()) {
      if (state.wireName().equals(value)) {
        return Optional.of(state);
      }
    }
    return Optional.empty();
  }
}
