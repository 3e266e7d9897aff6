package io.tonegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;

/**
 * HMAC-signed identity API traffic at a target rate: each virtual user is a backend that creates one identity
 * ({@code create identity}) and then asks for access tokens for it ({@code issue token}), paced so that all users
 * together issue {@code -Drate} tokens per second. Asserts the budget's p99 for {@code issue token} and fewer than
 * 0.1% failed requests. During the warm-up ({@code -Dwarmup}, JIT compilation on both sides) the same requests are
 * named {@code warm-up: issue token} and only count for failures.
 *
 * <pre>
 * loadtest/run.sh TokensSimulation -Dusers=20 -Drate=200 -Dduration=60s -Dramp=10s -Dwarmup=10s
 * </pre>
 */
public class TokensSimulation extends Simulation {

  static final String ISSUE_TOKEN = "issue token";
  static final String CREATE_IDENTITY = "create identity";
  static final String API_VERSION = "api-version=2022-10-01";
  static final String WARM_UP = LoadProfile.WARM_UP_PREFIX;
  static final String TOKEN_BODY = "{\"scopes\":[\"voip\"],\"expiresInMinutes\":60}";

  final LoadProfile profile = LoadProfile.fromSystemProperties(20, Duration.ofSeconds(30), Duration.ofSeconds(5));
  /** Tokens per second over all users once the ramp is done. */
  final double rate = LoadProfile.doubleProperty("rate", 200);
  final SignedRequests signing = new SignedRequests();

  final HttpProtocolBuilder protocol = http
      .baseUrl(Target.baseUrl())
      .acceptHeader("application/json")
      .contentTypeHeader("application/json")
      // The signature covers the exact path: send it as signed (identity ids contain ':').
      .disableUrlEncoding()
      .userAgentHeader("tonegate-loadtest");

  final ScenarioBuilder backends = scenario("identity backends")
      .exec(session -> session.set("createPath", "/identities?" + API_VERSION))
      .exec(signing.sign("POST", "createPath", "{}"))
      .exec(signing.signed(http(CREATE_IDENTITY).post("#{createPath}"))
          .body(StringBody("{}"))
          .check(status().is(201), jsonPath("$.identity.id").saveAs("identityId")))
      .exitHereIfFailed()
      .exec(session -> session.set("tokenPath",
          "/identities/" + session.getString("identityId") + "/:issueAccessToken?" + API_VERSION))
      .during(profile.warmup()).on(issueTokens(WARM_UP + ISSUE_TOKEN))
      .during(profile.duration()).on(issueTokens(ISSUE_TOKEN));

  /** One paced iteration: sign, then ask for a token under {@code requestName}. */
  ChainBuilder issueTokens(String requestName) {
    return pace(Duration.ofNanos((long) (1e9 * profile.users() / rate)))
        .exec(signing.sign("POST", "tokenPath", TOKEN_BODY))
        .exec(signing.signed(http(requestName).post("#{tokenPath}"))
            .body(StringBody(TOKEN_BODY))
            .check(status().is(200), jsonPath("$.token").exists()));
  }

  {
    System.out.printf("TokensSimulation: %s rate=%.0f tokens/s against %s%n", profile, rate, Target.baseUrl());
    setUp(backends.injectOpen(rampUsers(profile.users()).during(profile.ramp())),
        new ServerSnapshots().population(profile.ramp().plus(profile.warmup()), profile.duration()))
        .protocols(protocol)
        .assertions(
            details(ISSUE_TOKEN).responseTime().percentile(99.0).lte(Budget.p99Millis(ISSUE_TOKEN)),
            details(ISSUE_TOKEN).allRequests().count().gt(0L),
            global().failedRequests().percent().lt(Budget.MAX_FAILED_PERCENT));
  }
}
