package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigLoader;
import io.tonegate.config.TonegateConfig;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdentityConfigTest {

  static IdentityConfig load(Map<String, String> env) {
    TonegateConfig config = TonegateConfig.from(ConfigLoader.load(null, env));
    return IdentityConfig.from(config.root(), config.server());
  }

  @Test
  @DisplayName("Defaults: no access key, ES256, 15 min HMAC skew, 7 d rotation, issuer from publicUrl")
  void defaults() {
    IdentityConfig config = load(Map.of());
    assertThat(config.accessKeys()).isEmpty();
    assertThat(config.algorithm()).isEqualTo(JwtAlgorithm.ES256);
    assertThat(config.hmacMaxClockSkew()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.rotateEvery()).isEqualTo(Duration.ofDays(7));
    assertThat(config.issuer()).isEqualTo("https://localhost:8443/");
    assertThat(config.retiredKeyPublication()).isGreaterThan(AccessTokenIssuer.MAX_TOKEN_LIFETIME);
  }

  @Test
  @DisplayName("TONEGATE_ACCESS_KEY and TONEGATE_SECONDARY_ACCESS_KEY set the two HMAC keys")
  void keysFromEnvironment() {
    String a = AcsAccessKey.generate(new SecureRandom()).toBase64();
    String b = AcsAccessKey.generate(new SecureRandom()).toBase64();
    IdentityConfig config = load(Map.of("TONEGATE_ACCESS_KEY", a, "TONEGATE_SECONDARY_ACCESS_KEY", b));
    assertThat(config.accessKeys()).containsExactly(AcsAccessKey.fromBase64(a), AcsAccessKey.fromBase64(b));
    assertThat(config.toString()).doesNotContain(a.substring(0, 12));
  }

  @Test
  @DisplayName("Bad values stop start-up naming the key, never echoing a secret")
  void badValues() {
    assertThatThrownBy(() -> load(Map.of("TONEGATE_ACCESS_KEY", "c2VjcmV0LXRvby1zaG9ydA==")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("accessKey")
        .hasMessageNotContaining("c2VjcmV0LXRvby1zaG9ydA==");
    assertThatThrownBy(() -> load(Map.of("TONEGATE_SECONDARY_ACCESS_KEY",
        AcsAccessKey.generate(new SecureRandom()).toBase64())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("secondaryAccessKey");
    assertThatThrownBy(() -> load(Map.of("TONEGATE_IDENTITY_RESOURCE_ID", "no/slashes")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("identity.resourceId");
    assertThatThrownBy(() -> load(Map.of("TONEGATE_IDENTITY_TOKENS_ALGORITHM", "HS256")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("identity.tokens.algorithm");
  }
}
