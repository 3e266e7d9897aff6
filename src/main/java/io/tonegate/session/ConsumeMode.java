package io.tonegate.session;

/** What a successful validation does to the matching key ({@code session.consume}). */
public enum ConsumeMode {
  /** The key is deleted atomically with the read: a code can never be replayed. The default. */
  ONE_TIME,
  /** The key stays valid until its TTL: the same caller may authenticate several times (e.g. call-backs). */
  KEEP_UNTIL_TTL
}
