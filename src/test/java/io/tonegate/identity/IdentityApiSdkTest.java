package io.tonegate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.azure.communication.common.CommunicationTokenCredential;
import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.models.CommunicationTokenScope;
import com.azure.communication.identity.models.CommunicationUserIdentifierAndToken;
import com.azure.core.credential.AccessToken;
import com.azure.core.exception.HttpResponseException;
import io.tonegate.testing.TestGateway;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The official ACS identity SDK 1.4.10 drives Tonegate's identity API over HTTPS, against real Redis. */
class IdentityApiSdkTest {

  static final String KEY = AcsAccessKey.generate(new SecureRandom()).toBase64();
  static TestGateway gateway;
  static CommunicationIdentityClient sdk;
  static TokenAuthenticator tokens;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(new JsonObject().put("accessKey", KEY));
    sdk = AcsSdkClients.identityClient(gateway, KEY);
    tokens = gateway.gateway().module(IdentityModule.class).orElseThrow().tokenAuthenticator();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static VerifiedToken verify(String jwt, TokenScope scope) throws Exception {
    return tokens.authenticate(jwt, scope).await(10, TimeUnit.SECONDS);
  }

  static TokenRejection rejection(String jwt, TokenScope scope) {
    try {
      tokens.authenticate(jwt, scope).await(10, TimeUnit.SECONDS);
      throw new AssertionError("token was accepted");
    } catch (TokenRejectedException e) {
      return e.reason();
    } catch (Exception e) {
      throw new AssertionError("unexpected failure", e);
    }
  }

  @Test
  @DisplayName("createUser returns an ACS-shaped identity id and no token")
  void createUser() {
    CommunicationUserIdentifier user = sdk.createUser();
    assertThat(user.getId()).matches("8:acs:tonegate_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(sdk.createUser().getId()).isNotEqualTo(user.getId());
  }

  @Test
  @DisplayName("createUserAndToken returns a 24-hour token that CommunicationTokenCredential parses and Tonegate verifies")
  void createUserAndToken() throws Exception {
    CommunicationUserIdentifierAndToken result =
        sdk.createUserAndToken(List.of(CommunicationTokenScope.CHAT, CommunicationTokenScope.VOIP));
    AccessToken token = result.getUserToken();
    assertThat(token.getExpiresAt()).isCloseTo(OffsetDateTime.now().plusHours(24), within(1, ChronoUnit.MINUTES));

    try (CommunicationTokenCredential credential = new CommunicationTokenCredential(token.getToken())) {
      AccessToken parsed = credential.getToken().block(Duration.ofSeconds(10));
      assertThat(parsed.getExpiresAt().toEpochSecond()).isEqualTo(token.getExpiresAt().toEpochSecond());
    }
    VerifiedToken verified = verify(token.getToken(), TokenScope.VOIP);
    assertThat(verified.identityId()).isEqualTo(result.getUser().getId());
    assertThat(verified.scopes()).containsExactlyInAnyOrder(TokenScope.CHAT, TokenScope.VOIP);
  }

  @Test
  @DisplayName("createUserAndToken with a custom expiry of 60 minutes")
  void createUserAndTokenCustomExpiry() {
    AccessToken token = sdk.createUserAndToken(List.of(CommunicationTokenScope.VOIP), Duration.ofMinutes(60))
        .getUserToken();
    assertThat(token.getExpiresAt()).isCloseTo(OffsetDateTime.now().plusMinutes(60), within(1, ChronoUnit.MINUTES));
  }

  @Test
  @DisplayName("getToken issues each scope set, ACS's and Tonegate's, with the requested expiry")
  void getTokenEachScopeSet() throws Exception {
    CommunicationUserIdentifier user = sdk.createUser();
    List<List<String>> sets = List.of(List.of("chat"), List.of("voip"), List.of("chat.join"),
        List.of("chat.join.limited"), List.of("voip.join"), List.of("pstn"), List.of("media"),
        List.of("presence.read", "presence.write"), List.of("sessions.read", "sessions.write"),
        List.of("chat", "voip", "media", "pstn"));
    int minutes = 60;
    for (List<String> names : sets) {
      List<CommunicationTokenScope> scopes = names.stream().map(CommunicationTokenScope::fromString).toList();
      AccessToken token = sdk.getToken(user, scopes, Duration.ofMinutes(minutes));
      assertThat(token.getExpiresAt()).as(names.toString())
          .isCloseTo(OffsetDateTime.now().plusMinutes(minutes), within(1, ChronoUnit.MINUTES));
      VerifiedToken verified = verify(token.getToken(), TokenScope.fromWireName(names.get(0)).orElseThrow());
      assertThat(verified.scopes()).extracting(TokenScope::wireName).containsExactlyInAnyOrderElementsOf(names);
      minutes += 130;
    }
    AccessToken defaultExpiry = sdk.getToken(user, List.of(CommunicationTokenScope.CHAT));
    assertThat(defaultExpiry.getExpiresAt()).isCloseTo(OffsetDateTime.now().plusHours(24), within(1, ChronoUnit.MINUTES));
  }

  @Test
  @DisplayName("revokeTokens invalidates every earlier token at once; a token issued afterwards works")
  void revoke() throws Exception {
    CommunicationUserIdentifier user = sdk.createUser();
    String before = sdk.getToken(user, List.of(CommunicationTokenScope.fromString("media"))).getToken();
    assertThat(verify(before, TokenScope.MEDIA).identityId()).isEqualTo(user.getId());

    sdk.revokeTokens(user);

    assertThat(rejection(before, TokenScope.MEDIA)).isEqualTo(TokenRejection.REVOKED);
    String after = sdk.getToken(user, List.of(CommunicationTokenScope.fromString("media"))).getToken();
    assertThat(verify(after, TokenScope.MEDIA).identityId()).isEqualTo(user.getId());
  }

  @Test
  @DisplayName("deleteUser revokes the identity's tokens, and the identity can no longer get tokens")
  void delete() {
    CommunicationUserIdentifier user = sdk.createUser();
    String token = sdk.getToken(user, List.of(CommunicationTokenScope.fromString("presence.read"))).getToken();

    sdk.deleteUser(user);

    assertThat(rejection(token, TokenScope.PRESENCE_READ)).isEqualTo(TokenRejection.REVOKED);
    assertThatThrownBy(() -> sdk.getToken(user, List.of(CommunicationTokenScope.CHAT)))
        .isInstanceOf(HttpResponseException.class)
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(404));
    assertThatThrownBy(() -> sdk.deleteUser(user)).isInstanceOf(HttpResponseException.class);
  }

  @Test
  @DisplayName("Unknown scopes and expiries outside 60..1440 minutes surface in the SDK as 400 errors")
  void badRequests() {
    CommunicationUserIdentifier user = sdk.createUser();
    assertThatThrownBy(() -> sdk.getToken(user, List.of(CommunicationTokenScope.fromString("admin"))))
        .isInstanceOf(HttpResponseException.class)
        .hasMessageContaining("admin")
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(400));
    for (int minutes : new int[] {59, 1441}) {
      assertThatThrownBy(() -> sdk.getToken(user, List.of(CommunicationTokenScope.CHAT), Duration.ofMinutes(minutes)))
          .as(minutes + " minutes").isInstanceOf(HttpResponseException.class)
          .hasMessageContaining("expiresInMinutes")
          .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(400));
    }
    assertThatThrownBy(() -> sdk.createUserAndToken(List.of(CommunicationTokenScope.fromString("root"))))
        .isInstanceOf(HttpResponseException.class)
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(400));
  }

  @Test
  @DisplayName("A client holding the wrong access key gets 401 with ACS's Denied error body")
  void wrongKey() {
    CommunicationIdentityClient intruder =
        AcsSdkClients.identityClient(gateway, AcsAccessKey.generate(new SecureRandom()).toBase64());
    assertThatThrownBy(intruder::createUser)
        .isInstanceOf(HttpResponseException.class)
        .hasMessageContaining("\"code\":\"Denied\"")
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(401));
  }

  @Test
  @DisplayName("A token of an identity from another resource, or an unknown identity, is refused with 404")
  void unknownIdentity() {
    CommunicationUserIdentifier stranger = new CommunicationUserIdentifier(
        IdentityId.generate("tonegate", new SecureRandom()).rawId());
    assertThatThrownBy(() -> sdk.getToken(stranger, List.of(CommunicationTokenScope.CHAT)))
        .isInstanceOf(HttpResponseException.class)
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(404));
    CommunicationUserIdentifier foreign = new CommunicationUserIdentifier("8:acs:other_123");
    assertThatThrownBy(() -> sdk.revokeTokens(foreign))
        .isInstanceOf(HttpResponseException.class)
        .satisfies(e -> assertThat(((HttpResponseException) e).getResponse().getStatusCode()).isEqualTo(404));
  }

  @Test
  @DisplayName("The signer other teams use produces requests the gateway accepts (same scheme as the SDK)")
  void signerInterop() {
    AcsHmacSigner signer = new AcsHmacSigner(AcsAccessKey.fromBase64(KEY), Clock.systemUTC());
    assertThat(signer.sign("POST", java.net.URI.create(gateway.baseUrl() + "/identities?api-version=2022-10-01"),
        new byte[0]).host()).isEqualTo("localhost");
  }
}
