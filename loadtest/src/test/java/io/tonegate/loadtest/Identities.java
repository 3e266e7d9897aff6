package io.tonegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;

/** Identity API steps shared by the simulations (HMAC-signed with the gateway's access key). */
public final class Identities {

  public static final String CREATE_IDENTITY = "create identity";
  public static final String API_VERSION = "api-version=2022-10-01";

  private Identities() {
  }

  /**
   * {@code POST /identities} asking for a 60-minute token with {@code scope} at once; saves {@code identityId} and
   * {@code token} in the session.
   */
  public static ChainBuilder createWithToken(SignedRequests signing, String scope) {
    String body = "{\"createTokenWithScopes\":[\"" + scope + "\"],\"expiresInMinutes\":60}";
    return exec(session -> session.set("createPath", "/identities?" + API_VERSION))
        .exec(signing.sign("POST", "createPath", body))
        .exec(signing.signed(http(CREATE_IDENTITY).post("#{createPath}"))
            .body(StringBody(body))
            .check(status().is(201), jsonPath("$.identity.id").saveAs("identityId"),
                jsonPath("$.accessToken.token").saveAs("token")));
  }
}
