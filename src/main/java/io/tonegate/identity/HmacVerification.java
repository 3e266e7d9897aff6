package io.tonegate.identity;

import java.util.Optional;

/**
 * The outcome of {@link AcsHmacVerifier#verify(HmacRequest)}.
 *
 * @param failure why the request was refused; {@code null} when it was accepted
 * @param keyIndex which configured key matched (0 = primary, 1 = secondary); -1 when refused
 */
public record HmacVerification(HmacFailure failure, int keyIndex) {

  static HmacVerification accepted(int keyIndex) {
    return new HmacVerification(null, keyIndex);
  }

  static HmacVerification refused(HmacFailure failure) {
    return new HmacVerification(failure, -1);
  }

  public boolean ok() {
    return failure == null;
  }

  public Optional<HmacFailure> failureReason() {
    return Optional.ofNullable(failure);
  }
}
