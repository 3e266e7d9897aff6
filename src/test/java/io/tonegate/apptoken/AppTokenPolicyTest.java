package io.tonegate.apptoken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigLoader;
import io.tonegate.config.ConfigTree;
import io.tonegate.identity.TokenGrants;
import io.tonegate.identity.TokenScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("App token policy, request parsing and configuration (pure)")
class AppTokenPolicyTest {

  static final ScopePolicy POLICY = new ScopePolicy(List.of(
      ScopePolicy.Rule.everyone(List.of(TokenScope.VOIP)),
      ScopePolicy.Rule.when("roles", List.of("agent"), List.of(TokenScope.PSTN, TokenScope.PRESENCE_READ)),
      ScopePolicy.Rule.when("groups", List.of("g-ops"), List.of(TokenScope.PRESENCE_WRITE)),
      ScopePolicy.Rule.when("realm_access.roles", List.of("media"), List.of(TokenScope.MEDIA)),
      ScopePolicy.Rule.when("https://example.com/roles", List.of("chat"), List.of(TokenScope.CHAT)),
      new ScopePolicy.Rule(java.util.Optional.of("entra"), java.util.Optional.of("scp"), Set.of("Calls.Pstn"),
          Set.of(TokenScope.PSTN))));

  @Test
  @DisplayName("Everyone gets the rule without claim; roles, groups, nested paths and URL-named claims add scopes")
  void allowed() {
    assertThat(POLICY.allowed("kc", Map.of())).containsExactly(TokenScope.VOIP);
    assertThat(POLICY.allowed("kc", Map.of("roles", List.of("viewer", "agent"))))
        .containsExactlyInAnyOrder(TokenScope.VOIP, TokenScope.PSTN, TokenScope.PRESENCE_READ);
    assertThat(POLICY.allowed("kc", Map.of("roles", "agent"))).contains(TokenScope.PSTN);
    assertThat(POLICY.allowed("kc", Map.of("groups", List.of("g-ops")))).contains(TokenScope.PRESENCE_WRITE);
    assertThat(POLICY.allowed("kc", Map.of("realm_access", Map.of("roles", List.of("media")))))
        .contains(TokenScope.MEDIA);
    assertThat(POLICY.allowed("auth0", Map.of("https://example.com/roles", List.of("chat"))))
        .contains(TokenScope.CHAT);
    assertThat(POLICY.allowed("entra", Map.of("scp", "Calls.Read Calls.Pstn"))).contains(TokenScope.PSTN);
    assertThat(POLICY.allowed("other", Map.of("scp", "Calls.Read Calls.Pstn")))
        .as("a rule limited to one provider").doesNotContain(TokenScope.PSTN);
    assertThat(POLICY.allowed("kc", Map.of("roles", Map.of("agent", true)))).containsExactly(TokenScope.VOIP);
  }

  @Test
  @DisplayName("denied() names exactly the scopes the user may not have")
  void denied() {
    assertThat(POLICY.denied("kc", Map.of(), EnumSet.of(TokenScope.VOIP, TokenScope.PSTN, TokenScope.CHAT)))
        .containsExactlyInAnyOrder(TokenScope.PSTN, TokenScope.CHAT);
    assertThat(POLICY.denied("kc", Map.of("roles", List.of("agent")), EnumSet.of(TokenScope.PSTN))).isEmpty();
  }

  static JsonObject defaults() {
    return ConfigLoader.load(null, Map.of());
  }

  static AppTokenConfig config(JsonObject appToken) {
    JsonObject root = defaults();
    ConfigLoader.overlay(root, new JsonObject().put("appToken", appToken), "");
    return AppTokenConfig.from(new ConfigTree(root));
  }

  static JsonObject provider() {
    return new JsonObject().put("name", "kc").put("issuer", "https://sso.example.com/realms/app")
        .put("audiences", new JsonArray().add("tonegate"))
        .put("discoveryUrl", "https://sso.example.com/realms/app/.well-known/openid-configuration")
        .put("algorithms", new JsonArray().add("RS256"));
  }

  @Test
  @DisplayName("The shipped defaults: disabled, everyone voip, agents pstn and presence.read, 60 minutes, 1440 at most")
  void shippedDefaults() {
    AppTokenConfig config = AppTokenConfig.from(new ConfigTree(defaults()));
    assertThat(config.enabled()).isFalse();
    assertThat(config.defaultScopes()).containsExactly(TokenScope.VOIP);
    assertThat(config.policy().allowed("any", Map.of("roles", List.of("agent"))))
        .containsExactlyInAnyOrder(TokenScope.VOIP, TokenScope.PSTN, TokenScope.PRESENCE_READ);
    assertThat(config.defaultExpiresInMinutes()).isEqualTo(60);
    assertThat(config.maxExpiresInMinutes()).isEqualTo(1440);
    assertThat(config.mediaRequiresGrant()).isTrue();
  }

  @Test
  @DisplayName("Bad configuration fails with the key named")
  void badConfig() {
    record Bad(JsonObject appToken, String key) {
    }
    List<Bad> cases = List.of(
        new Bad(new JsonObject().put("enabled", true), "appToken.providers"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider().put("name", "Bad Name"))),
            "appToken.providers[0].name"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider().put("issuer", ""))),
            "appToken.providers[0].issuer"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider().put("issuer", "https://a|b"))),
            "appToken.providers[0].issuer"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider()
            .put("issuer", "https://" + "x".repeat(250)))), "appToken.providers[0].issuer"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider().put("audiences", new JsonArray()))),
            "appToken.providers[0].audiences"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider().put("algorithms",
            new JsonArray().add("HS256")))), "appToken.providers[0].algorithms"),
        new Bad(new JsonObject().put("providers", new JsonArray().add(provider()).add(provider().put("name", "kc2"))),
            "appToken.providers"),
        new Bad(new JsonObject().put("expiresInMinutes", 30), "appToken.expiresInMinutes"),
        new Bad(new JsonObject().put("maxExpiresInMinutes", 2000), "appToken.maxExpiresInMinutes"),
        new Bad(new JsonObject().put("expiresInMinutes", 120).put("maxExpiresInMinutes", 90),
            "appToken.expiresInMinutes"),
        new Bad(new JsonObject().put("policy", new JsonArray().add(new JsonObject().put("claim", "roles")
            .put("scopes", new JsonArray().add("voip")))), "appToken.policy[0].anyOf"),
        new Bad(new JsonObject().put("policy", new JsonArray().add(new JsonObject()
            .put("scopes", new JsonArray().add("root")))), "appToken.policy[0].scopes"),
        new Bad(new JsonObject().put("policy", new JsonArray().add(new JsonObject().put("provider", "nope")
            .put("scopes", new JsonArray().add("voip")))), "appToken.policy[0].provider"));
    for (Bad bad : cases) {
      assertThatThrownBy(() -> config(bad.appToken())).as(bad.appToken().encode())
          .isInstanceOf(ConfigException.class).hasMessageContaining(bad.key());
    }
  }

  @Test
  @DisplayName("A request without body asks for the default scopes and validity; grants need their scopes")
  void requests() {
    AppTokenConfig config = config(new JsonObject().put("maxExpiresInMinutes", 120));
    AppTokenRequest empty = AppTokenRequest.parse(Map.of(), config);
    assertThat(empty.scopes()).containsExactly(TokenScope.VOIP);
    assertThat(empty.validity()).isEqualTo(Duration.ofMinutes(60));
    assertThat(empty.grants()).isEqualTo(TokenGrants.NONE);
    assertThat(AppTokenRequest.parse(Map.of("expiresInMinutes", 120), config).validity())
        .isEqualTo(Duration.ofMinutes(120));
    assertThatThrownBy(() -> AppTokenRequest.parse(Map.of("expiresInMinutes", 121), config))
        .hasMessageContaining("60 to 120");
    AppTokenRequest media = AppTokenRequest.parse(Map.of("scopes", List.of("media"),
        "grants", Map.of("media", Map.of("callConnectionId", "c1"))), config);
    assertThat(media.grants().permitsMedia("c1")).isTrue();
    assertThatThrownBy(() -> AppTokenRequest.parse(Map.of("scopes", List.of("media")), config))
        .hasMessageContaining("media grant");
    AppTokenConfig lax = config(new JsonObject().put("mediaRequiresGrant", false));
    assertThat(AppTokenRequest.parse(Map.of("scopes", List.of("media")), lax).grants()).isEqualTo(TokenGrants.NONE);
    assertThatThrownBy(() -> AppTokenRequest.parse(Map.of("scopes", List.of("voip"),
        "grants", Map.of("presence", Map.of("users", List.of("u")))), config)).hasMessageContaining("presence");
  }

  @Test
  @DisplayName("The provider of a token is picked by its unverified iss, which tolerates any garbage")
  void unverifiedIssuer() {
    String payload = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"iss\":\"https://a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(AppTokenModule.unverifiedIssuer("Bearer x." + payload + ".sig")).isEqualTo("https://a");
    for (String garbage : List.of("", "Bearer", "Bearer a.b", "Bearer a.!!!.c", "Bearer a.e30.c", "Basic x")) {
      assertThat(AppTokenModule.unverifiedIssuer(garbage)).as(garbage).isNull();
    }
  }
}
