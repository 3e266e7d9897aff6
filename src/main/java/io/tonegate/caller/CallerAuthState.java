package io.tonegate.caller;

/**
 * Where a call is in caller authentication:
 * {@code PENDING -> COLLECTING -> VALIDATING -> AUTHENTICATED | REJECTED | LOCKED_OUT}, with
 * {@code VALIDATING -> COLLECTING} for a retry.
 */
public enum CallerAuthState {
  /** The media session exists; nothing has started yet. */
  PENDING,
  /** Waiting for the caller's digits (or, in a flow without a code, for the next automatic try). */
  COLLECTING,
  /** The code is being checked against Redis. */
  VALIDATING,
  /** A matching session key was found (and consumed): the media session is authorized. */
  AUTHENTICATED,
  /** Too many failed attempts, or no key for a flow without a code: the call is hung up. */
  REJECTED,
  /** A rate limit (per caller number, per call) is exhausted: the call is hung up. */
  LOCKED_OUT;

  public boolean isFinal() {
    return this == AUTHENTICATED || this == REJECTED || this == LOCKED_OUT;
  }
}
