package io.tonegate.session;

/** A store without {@code replace} found the key already present. */
public final class SessionConflictException extends RuntimeException {

  public SessionConflictException(String redactedKey) {
    super("a session key " + redactedKey + " already exists", null, false, false);
  }
}
