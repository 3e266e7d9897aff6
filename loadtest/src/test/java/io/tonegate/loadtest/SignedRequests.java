package io.tonegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.exec;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.tonegate.identity.AcsHmacSigner;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * ACS HMAC-SHA256 signing for Gatling requests, with Tonegate's own {@link AcsHmacSigner}: {@link #sign} computes
 * the headers of one request into session attributes, {@link #signed} puts them on the request. The protocol must
 * {@code disableUrlEncoding()}: the signature covers the path exactly as sent.
 *
 * <pre>{@code
 * exec(session -> session.set("path", "/identities?api-version=2022-10-01"))
 *     .exec(signing.sign("POST", "path", body))
 *     .exec(signing.signed(http("create identity").post("#{path}")).body(StringBody(body)))
 * }</pre>
 */
public final class SignedRequests {

  private final AcsHmacSigner signer = new AcsHmacSigner(Target.accessKey(), Clock.systemUTC());
  private final String host = Target.host();

  /** Signs {@code method} on the path held in {@code pathAttribute} with {@code body}. */
  public ChainBuilder sign(String method, String pathAttribute, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return exec(session -> {
      AcsHmacSigner.AcsHmacHeaders h = signer.sign(method, session.getString(pathAttribute), host, bytes);
      return session.set("xMsDate", h.date()).set("xMsContentSha256", h.contentHash())
          .set("authorization", h.authorization());
    });
  }

  /** Signs {@code method} on the path in {@code pathAttribute} with the body in {@code bodyAttribute}. */
  public ChainBuilder signBody(String method, String pathAttribute, String bodyAttribute) {
    return exec(session -> {
      byte[] bytes = session.getString(bodyAttribute).getBytes(StandardCharsets.UTF_8);
      AcsHmacSigner.AcsHmacHeaders h = signer.sign(method, session.getString(pathAttribute), host, bytes);
      return session.set("xMsDate", h.date()).set("xMsContentSha256", h.contentHash())
          .set("authorization", h.authorization());
    });
  }

  /** The request with the headers of the last {@link #sign}. */
  public HttpRequestActionBuilder signed(HttpRequestActionBuilder request) {
    return request
        .header("x-ms-date", "#{xMsDate}")
        .header("x-ms-content-sha256", "#{xMsContentSha256}")
        .header("Authorization", "#{authorization}");
  }
}
