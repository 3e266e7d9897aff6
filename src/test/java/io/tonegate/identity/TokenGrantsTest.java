package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TokenGrants: the grants claim, written, parsed and checked in one place")
class TokenGrantsTest {

  static final IdentityId USER = IdentityId.generate("tonegate", new SecureRandom());

  @Test
  @DisplayName("A media grant permits exactly its call; a media token without a grant permits no call")
  void media() {
    TokenGrants grants = TokenGrants.media("call-1");
    assertThat(grants.permitsMedia("call-1")).isTrue();
    assertThat(grants.permitsMedia("call-2")).isFalse();
    assertThat(grants.permitsMedia(null)).isFalse();
    assertThat(TokenGrants.NONE.permitsMedia("call-1")).isFalse();
    assertThat(grants.permitsPresenceUser("anyone")).as("a media grant does not narrow presence").isTrue();
  }

  @Test
  @DisplayName("A presence grant permits only its users; no presence grant permits every user")
  void presence() {
    TokenGrants grants = TokenGrants.presence(List.of("8:acs:r_a", "8:acs:r_b"));
    assertThat(grants.permitsPresenceUser("8:acs:r_a")).isTrue();
    assertThat(grants.permitsPresenceUser("8:acs:r_c")).isFalse();
    assertThat(TokenGrants.NONE.permitsPresenceUser("8:acs:r_c")).isTrue();
  }

  @Test
  @DisplayName("Request grants parse from plain maps; unknown grants, fields and bad values are refused with a reason")
  void parse() {
    TokenGrants both = TokenGrants.parse(Map.of("media", Map.of("callConnectionId", "c-1"),
        "presence", Map.of("users", List.of("u1", "u2", "u1"))));
    assertThat(both.mediaCallConnectionId()).contains("c-1");
    assertThat(both.presenceUsers()).contains(Set.of("u1", "u2"));
    assertThat(TokenGrants.parse(null)).isEqualTo(TokenGrants.NONE);
    assertThat(TokenGrants.parse(Map.of())).isEqualTo(TokenGrants.NONE);

    List<Object> bad = List.of("media", List.of(), Map.of("room", Map.of()),
        Map.of("media", Map.of()), Map.of("media", Map.of("callConnectionId", "")),
        Map.of("media", Map.of("callConnectionId", "a b")), Map.of("media", Map.of("callConnectionId", 7)),
        Map.of("media", Map.of("callConnectionId", "c", "extra", 1)),
        Map.of("presence", Map.of("users", List.of())), Map.of("presence", Map.of("users", "u1")),
        Map.of("presence", Map.of("users", List.of("u\"1"))),
        Map.of("presence", Map.of("users", IntStream.range(0, TokenGrants.MAX_PRESENCE_USERS + 1)
            .mapToObj(i -> "u" + i).toList())),
        Map.of("presence", Map.of("users", IntStream.range(0, 20)
            .mapToObj(i -> "u" + i + "x".repeat(150)).toList())));
    for (Object grants : bad) {
      assertThatThrownBy(() -> TokenGrants.parse(grants)).as(String.valueOf(grants))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grant");
    }
  }

  @Test
  @DisplayName("Grants minted into a token verify back to the same grants, and the payload stays SDK-decodable")
  void roundTrip() {
    SigningKeyRing ring = SigningKeyRing.of(SigningKey.generate(JwtAlgorithm.ES256, Instant.now(), new SecureRandom()));
    AccessTokenIssuer issuer = new AccessTokenIssuer("https://tg/", "tonegate", () -> ring, Clock.systemUTC());
    TokenGrants grants = new TokenGrants(java.util.Optional.of("call:42/x+y=-z."),
        java.util.Optional.of(Set.of("8:acs:tonegate_x", "alice@example.com")));
    IssuedToken token = issuer.issueAt(USER, Set.of(TokenScope.MEDIA, TokenScope.PRESENCE_READ),
        Duration.ofHours(1), Instant.now(), grants);
    String payload = token.token().split("\\.")[1];
    assertThat(payload).doesNotContain("-").doesNotContain("_");
    assertThat(new String(Base64.getDecoder().decode(payload + "==".substring(0, (4 - payload.length() % 4) % 4)),
        StandardCharsets.UTF_8)).contains("\"tg.grants\"");
    AccessTokenVerifier verifier = new AccessTokenVerifier(AccessTokenVerifier.resolver(() -> ring), "https://tg/",
        "tonegate", Duration.ofMinutes(1), Clock.systemUTC());
    assertThat(TokenGrants.fromToken(verifier.verify(token.token()))).isEqualTo(grants);
    IssuedToken plain = issuer.issueAt(USER, Set.of(TokenScope.VOIP), Duration.ofHours(1), Instant.now());
    assertThat(TokenGrants.fromToken(verifier.verify(plain.token()))).isEqualTo(TokenGrants.NONE);
  }

  @Test
  @DisplayName("A malformed grants claim is an invalid-claims rejection, never a silently wider token")
  void malformedClaim() {
    assertThatThrownBy(() -> TokenGrants.fromClaims(Map.of(TokenGrants.CLAIM, "everything")))
        .isInstanceOf(TokenRejectedException.class)
        .extracting(e -> ((TokenRejectedException) e).reason()).isEqualTo(TokenRejection.INVALID_CLAIMS);
    assertThat(TokenGrants.fromClaims(Collections.emptyMap())).isEqualTo(TokenGrants.NONE);
  }
}
