package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdentityAndScopeTest {

  final SecureRandom random = new SecureRandom();

  @Test
  @DisplayName("Identity ids look like ACS's, 8:acs:<resource>_<8-4-4-4-12 hex>, and do not repeat")
  void identityIds() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      IdentityId id = IdentityId.generate("2dee53b4-368b-45b4-ab52-8493fb117652", random);
      assertThat(id.rawId()).matches("8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_"
          + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(seen.add(id.rawId())).isTrue();
      assertThat(IdentityId.parse(id.rawId())).contains(id);
      assertThat(IdentityId.fromSkypeId(id.skypeId())).contains(id);
    }
  }

  @Test
  @DisplayName("Malformed identity ids do not parse")
  void badIds() {
    for (String bad : List.of("", "acs:r_1", "8:acs:r", "8:acs:_x", "8:acs:r_", "8:acs:r_1/../x", "8:acs:r_a b",
        "8:teams:r_1", "8:acs:" + "r".repeat(200) + "_1")) {
      assertThat(IdentityId.parse(bad)).as(bad).isEmpty();
    }
    assertThat(IdentityId.parse(null)).isEmpty();
  }

  @Test
  @DisplayName("Scopes parse by wire name, case-insensitively; unknown names are refused by name")
  void scopes() {
    assertThat(TokenScope.parseAll(List.of("chat", "VOIP", "chat.join", "chat.join.limited", "voip.join", "pstn",
        "media", "presence.read", "presence.write", "sessions.read", "sessions.write", "chat")))
        .containsExactly(TokenScope.values());
    assertThatThrownBy(() -> TokenScope.parseAll(List.of("chat", "admin"))).hasMessageContaining("'admin'");
    assertThat(TokenScope.wireNames(List.of(TokenScope.VOIP, TokenScope.CHAT))).isEqualTo("chat,voip");
  }

  @Test
  @DisplayName("Scope bits are distinct, so the scp bitmask identifies the scope set")
  void scopeBits() {
    int all = 0;
    for (TokenScope s : TokenScope.values()) {
      assertThat(all & s.bit()).as(s.wireName()).isZero();
      all |= s.bit();
    }
    assertThat(TokenScope.bitmask(List.of(TokenScope.CHAT))).as("as observed in a real ACS chat token").isEqualTo(1792);
  }
}
