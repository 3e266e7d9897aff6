package io.tonegate.identity;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** An HMAC-SHA256 keyed once; {@link #mac(byte[])} is thread-safe (each call works on a clone). */
final class HmacSha256 {

  private final Mac prototype;

  HmacSha256(AcsAccessKey key) {
    try {
      prototype = Mac.getInstance("HmacSHA256");
      prototype.init(new SecretKeySpec(key.secretBytes(), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
    }
  }

  byte[] mac(byte[] data) {
    Mac mac;
    try {
      mac = (Mac) prototype.clone();   // cloning skips the key schedule; SunJCE supports it
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("HmacSHA256 provider does not support clone()", e);
    }
    return mac.doFinal(data);
  }
}
