package io.tonegate.presence;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One user's presence as Microsoft Graph models it: an availability (can this person be interrupted?) and an
 * activity (why). Values are validated so that what reaches Redis and subscribers is bounded and well-formed.
 *
 * @param availability one of {@link #AVAILABILITIES}
 * @param activity a Graph-style activity name ({@code InACall}, {@code Presenting}, ...): 1-40 ASCII letters
 */
public record Presence(String availability, String activity) {

  /** Graph's availability values (graph presence resource type), the closed set subscribers can switch on. */
  public static final Set<String> AVAILABILITIES = Set.of("Available", "AvailableIdle", "Away", "BeRightBack",
      "Busy", "BusyIdle", "DoNotDisturb", "Offline", "PresenceUnknown");

  private static final Pattern ACTIVITY = Pattern.compile("[A-Za-z]{1,40}");

  public Presence {
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(activity, "activity");
    if (!AVAILABILITIES.contains(availability)) {
      throw new IllegalArgumentException("availability must be one of " + AVAILABILITIES);
    }
    if (!ACTIVITY.matcher(activity).matches()) {
      throw new IllegalArgumentException("activity must be 1-40 ASCII letters");
    }
  }

  /** The presence {@code availability/activity} written as {@code Busy/InACall}, as the config and docs write it. */
  @Override
  public String toString() {
    return availability + "/" + activity;
  }
}
