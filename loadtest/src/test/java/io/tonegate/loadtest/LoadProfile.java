package io.tonegate.loadtest;

import java.time.Duration;
import java.util.Locale;

/**
 * The shape of a run, from system properties: {@code -Dusers=N -Dduration=30s -Dramp=5s} (a bare number means
 * seconds; {@code ms}, {@code s}, {@code m} suffixes are accepted). Each simulation gives its own defaults, and reads
 * its extra knobs with {@link #intProperty} / {@link #doubleProperty} / {@link #durationProperty}.
 *
 * @param users virtual users (what a user is depends on the simulation: a backend, a subscriber, a call)
 * @param duration how long the full load is held after the ramp
 * @param ramp how long it takes to reach the full load
 * @param warmup how long each user works before its requests count for the budget ({@code -Dwarmup}, default 10 s):
 *     both JVMs compile their hot paths then, and a cold p99 says nothing about the steady state
 */
public record LoadProfile(int users, Duration duration, Duration ramp, Duration warmup) {

  /** Requests made during the warm-up carry this prefix, so the budget assertions (on the plain names) skip them. */
  public static final String WARM_UP_PREFIX = "warm-up: ";

  public LoadProfile {
    if (users < 1) {
      throw new IllegalArgumentException("users: must be at least 1, got " + users);
    }
    if (duration.isNegative() || ramp.isNegative() || warmup.isNegative()) {
      throw new IllegalArgumentException("duration, ramp and warmup must not be negative");
    }
  }

  /** Reads {@code users}, {@code duration}, {@code ramp} and {@code warmup}, each falling back to the default. */
  public static LoadProfile fromSystemProperties(int users, Duration duration, Duration ramp) {
    return new LoadProfile(intProperty("users", users), durationProperty("duration", duration),
        durationProperty("ramp", ramp), durationProperty("warmup", Duration.ofSeconds(10)));
  }

  /** A whole-number property, or the default when it is absent or blank. */
  public static int intProperty(String name, int defaultValue) {
    String value = System.getProperty(name, "").trim();
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be a whole number, got '" + value + "'");
    }
  }

  /** A decimal property, or the default when it is absent or blank. */
  public static double doubleProperty(String name, double defaultValue) {
    String value = System.getProperty(name, "").trim();
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be a number, got '" + value + "'");
    }
  }

  /** A duration property ({@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}), or the default. */
  public static Duration durationProperty(String name, Duration defaultValue) {
    String value = System.getProperty(name, "").trim().toLowerCase(Locale.ROOT);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      if (value.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      }
      if (value.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be a duration like 30s, 500ms or 2m, got '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return "users=" + users + " duration=" + duration.toMillis() / 1000.0 + "s ramp=" + ramp.toMillis() / 1000.0
        + "s warmup=" + warmup.toMillis() / 1000.0 + "s";
  }
}
