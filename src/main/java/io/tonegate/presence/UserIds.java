package io.tonegate.presence;

import java.util.regex.Pattern;

/**
 * Which strings may name a presence user: ACS identities ({@code 8:acs:<resource>_<unique>}), Entra object ids,
 * e-mail-like names. Braces are excluded because a user id becomes a Redis Cluster hash tag ({@code {<user>}}).
 */
public final class UserIds {

  public static final int MAX_LENGTH = 192;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._@:+\\-]{1," + MAX_LENGTH + "}");

  private UserIds() {
  }

  public static boolean isValid(String user) {
    return user != null && VALID.matcher(user).matches();
  }
}
