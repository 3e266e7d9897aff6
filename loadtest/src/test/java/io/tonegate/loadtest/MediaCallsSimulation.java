package io.tonegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.tonegate.caller.OutcomeTone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent simulated ACS calls against the media WebSocket with caller authentication by DTMF. Each virtual user is
 * a phone caller (closed model: {@code -Dusers} calls in progress at all times; a call that ends is replaced by a
 * new one):
 * <ol>
 *   <li>the IVR creates the call record ({@code POST /api/dev/calls}, dev mode) and stores the caller's session key
 *       {@code pstn:<ANI>:<code>} ({@code store session key}, HMAC-signed);</li>
 *   <li>"ACS" opens {@code /ws/media} with the call headers and an RS256 JWT from the dev key
 *       ({@code media upgrade}) and sends AudioMetadata (16 kHz PCM);</li>
 *   <li>the caller streams real-time-paced 20 ms frames: silence, the code and {@code #} as DTMF tones, and the
 *       decision tone is awaited on the socket ({@code auth decision}, see {@link SimulatedCall});</li>
 *   <li>accepted calls talk (speech-like noise) until {@code -DcallDuration}, then close.</li>
 * </ol>
 * A share of callers ({@code -DwrongShare}) keys wrong codes three times (try again, try again, rejected); another
 * ({@code -DlockoutShare}) makes that call and then a second one from the same number, which is locked out by the
 * per-number limit at its third attempt (rateLimits.perAni: 5 attempts per 10 minutes).
 *
 * <p>Requests of calls that start before ramp + warm-up are named {@code warm-up: ...}. The per-frame budget is
 * the gateway's own histogram: this simulation saves {@code /metrics} at the start and end of the measured window
 * ({@code -Dtonegate.snapshots=DIR}), and run.sh checks the p99 between them.
 *
 * <pre>
 * loadtest/run.sh MediaCallsSimulation -Dusers=200 -DcallDuration=30s -Dramp=20s -Dwarmup=20s -Dduration=60s
 * </pre>
 */
public class MediaCallsSimulation extends Simulation {

  static final String STORE_KEY = "store session key";
  static final String UPGRADE = "media upgrade";
  static final String WARM_UP = LoadProfile.WARM_UP_PREFIX;

  final LoadProfile profile = LoadProfile.fromSystemProperties(50, Duration.ofSeconds(30), Duration.ofSeconds(10));
  /** How long an accepted call streams, from the upgrade to the close (each call varies it by up to +-10%). */
  final Duration callDuration = LoadProfile.durationProperty("callDuration", Duration.ofSeconds(20));
  final double wrongShare = LoadProfile.doubleProperty("wrongShare", 0.05);
  final double lockoutShare = LoadProfile.doubleProperty("lockoutShare", 0.02);
  /** Digits per code (the gateway accepts 3..12 by default); shorter codes make shorter calls (the CI smoke). */
  final int codeLength = LoadProfile.intProperty("codeLength", 6);

  final SignedRequests signing = new SignedRequests();
  final DevAcsToken devToken = DevAcsToken.fromDataDir();
  /** Media tokens signed up front, handed out in turn (see DevAcsToken.signMany; the gateway caches none). */
  final List<String> mediaTokens;
  final AtomicLong tokensHandedOut = new AtomicLong();
  final ServerSnapshots snapshots = new ServerSnapshots();
  final long startedAtMs = System.currentTimeMillis();
  final long measuredFromMs = startedAtMs + profile.ramp().plus(profile.warmup()).toMillis();
  final long measuredUntilMs = measuredFromMs + profile.duration().toMillis();
  /** Distinct caller numbers: +1555 and 7 digits, from a random start (several runs against one gateway). */
  final AtomicLong numbers = new AtomicLong(ThreadLocalRandom.current().nextLong(1_000_000, 5_000_000));
  final AtomicLong callers = new AtomicLong();

  final HttpProtocolBuilder protocol = http
      .baseUrl(Target.baseUrl())
      .wsBaseUrl(Target.wsBaseUrl())
      .acceptHeader("application/json")
      .contentTypeHeader("application/json")
      .disableUrlEncoding()
      .shareConnections() // the IVR's HTTP client is one pool; each media stream is its own connection
      .wsUnmatchedInboundMessageBufferSize(2_000)
      .userAgentHeader("tonegate-loadtest");

  enum Caller { GOOD, WRONG_CODE, LOCKOUT }

  final ScenarioBuilder calls = scenario("callers")
      .exec(this::newCaller)
      .exec(call())
      .doIf(session -> session.get("caller") == Caller.LOCKOUT).then(
          exec(session -> session.set("attempts", List.of(
              new SimulatedCall.Attempt(session.getString("wrongCode"), OutcomeTone.TRY_AGAIN),
              new SimulatedCall.Attempt(session.getString("wrongCode"), OutcomeTone.TRY_AGAIN),
              new SimulatedCall.Attempt(session.getString("wrongCode"), OutcomeTone.LOCKED_OUT))))
              .exec(call()));

  {
    if (codeLength < 1 || wrongShare < 0 || lockoutShare < 0 || wrongShare + lockoutShare > 1) {
      throw new IllegalArgumentException("codeLength must be positive; wrongShare and lockoutShare at least 0, "
          + "together at most 1");
    }
    // valid for the whole run: ramp, warm-up, measured window, the last calls, and margin
    Duration run = profile.ramp().plus(profile.warmup()).plus(profile.duration()).plus(callDuration.multipliedBy(3));
    mediaTokens = devToken.signMany(DevAcsToken.DEV_AUDIENCE, run.plusMinutes(30),
        Math.min(64, Math.max(8, profile.users())));
    System.out.printf("MediaCallsSimulation: %s callDuration=%ds wrongShare=%.2f lockoutShare=%.2f codeLength=%d "
        + "against %s%n", profile, callDuration.toSeconds(), wrongShare, lockoutShare, codeLength, Target.baseUrl());
    setUp(
        calls.injectClosed(
            rampConcurrentUsers(0).to(profile.users()).during(profile.ramp()),
            constantConcurrentUsers(profile.users()).during(profile.warmup().plus(profile.duration()))),
        snapshots.population(profile.ramp().plus(profile.warmup()), profile.duration()))
        .protocols(protocol)
        .assertions(
            details(STORE_KEY).responseTime().percentile(99.0).lte(Budget.p99Millis(STORE_KEY)),
            details(UPGRADE).responseTime().percentile(99.0).lte(Budget.p99Millis(UPGRADE)),
            details(SimulatedCall.DECISION).responseTime().percentile(99.0)
                .lte(Budget.p99Millis(SimulatedCall.DECISION)),
            details(SimulatedCall.DECISION).allRequests().count().gt(0L),
            // per step as well: a frame is a request too, and 50 of them a second would hide a wrong outcome
            details(STORE_KEY).failedRequests().percent().lt(Budget.MAX_FAILED_PERCENT),
            details(UPGRADE).failedRequests().percent().lt(Budget.MAX_FAILED_PERCENT),
            details(SimulatedCall.DECISION).failedRequests().percent().lt(Budget.MAX_FAILED_PERCENT),
            global().failedRequests().percent().lt(Budget.MAX_FAILED_PERCENT));
  }

  /** Picks the caller's kind (a fixed mix), number and codes, and its first call's attempts. */
  Session newCaller(Session session) {
    long n = callers.getAndIncrement();
    double position = (n * 0.6180339887) % 1.0; // evenly spread mix, no clustering of a kind
    Caller caller = position < lockoutShare ? Caller.LOCKOUT
        : position < lockoutShare + wrongShare ? Caller.WRONG_CODE : Caller.GOOD;
    String ani = "+1555" + numbers.getAndIncrement() % 10_000_000;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder digits = new StringBuilder(codeLength);
    for (int i = 0; i < codeLength; i++) {
      digits.append((char) ('0' + random.nextInt(10)));
    }
    String code = digits.toString();
    // the same code with its last digit changed: wrong, and never another caller's (the number differs)
    String wrongCode = code.substring(0, codeLength - 1) + (char) ('0' + (code.charAt(codeLength - 1) - '0' + 1) % 10);
    List<SimulatedCall.Attempt> attempts = new ArrayList<>();
    if (caller == Caller.GOOD) {
      attempts.add(new SimulatedCall.Attempt(code, OutcomeTone.ACCEPTED));
    } else {
      attempts.add(new SimulatedCall.Attempt(wrongCode, OutcomeTone.TRY_AGAIN));
      attempts.add(new SimulatedCall.Attempt(wrongCode, OutcomeTone.TRY_AGAIN));
      attempts.add(new SimulatedCall.Attempt(wrongCode, OutcomeTone.REJECTED));
    }
    return session.set("caller", caller).set("ani", ani).set("code", code).set("wrongCode", wrongCode)
        .set("attempts", attempts)
        .set("devCallBody", "{\"flow\":\"pstn\",\"ani\":\"" + ani + "\"}")
        .set("sessionBody", "{\"key\":\"pstn:" + ani + ":" + code + "\",\"value\":{\"who\":\"loadtest\"},"
            + "\"ttlSeconds\":600}")
        .set("devCallPath", "/api/dev/calls").set("sessionPath", "/api/sessions");
  }

  /** One call: record and key, upgrade, metadata, the paced frames until the call ends, close. */
  ChainBuilder call() {
    return exec(signing.signBody("POST", "devCallPath", "devCallBody"))
        .exec(signing.signed(http("create call").post("#{devCallPath}"))
            .body(StringBody("#{devCallBody}"))
            .check(status().is(201), jsonPath("$.callConnectionId").saveAs("callConnectionId"),
                jsonPath("$.correlationId").saveAs("correlationId")))
        .exitHereIfFailed()
        .doIf(session -> session.get("caller") != Caller.LOCKOUT || !session.contains("keyStored")).then(
            exec(signing.signBody("POST", "sessionPath", "sessionBody"))
                .exec(signing.signed(http(session -> named(session, STORE_KEY)).post("#{sessionPath}"))
                    .body(StringBody("#{sessionBody}"))
                    .check(status().is(201)))
                .exec(session -> session.set("keyStored", true)))
        .exitHereIfFailed()
        .exec(session -> session.set("mediaToken",
            mediaTokens.get((int) (tokensHandedOut.getAndIncrement() % mediaTokens.size()))))
        .exec(doIfOrElse(session -> System.currentTimeMillis() < measuredFromMs)
            .then(exec(mediaUpgrade(WARM_UP + UPGRADE)))
            .orElse(exec(mediaUpgrade(UPGRADE))))
        .exitHereIfFailed()
        .exec(ws("audio metadata").sendText(session -> CallAudio.audioMetadata(session.getString("callConnectionId"))))
        .exec(session -> {
          long jitter = callDuration.toMillis() / 10;
          long talkUntil = System.currentTimeMillis() + callDuration.toMillis()
              + ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
          return session.set("call", new SimulatedCall(session.get("attempts"), "4:" + session.getString("ani"),
              talkUntil, measuredFromMs));
        })
        .asLongAs(session -> !session.<SimulatedCall>get("call").finished()).on(
            pace(Duration.ofMillis(CallAudio.FRAME_MS))
                // Inbound first, then the frame: Gatling 3.15 empties the unmatched-message buffer on every send
                // (WsFsm.onSendTextFrame), so what arrived since the last frame must be taken before this one.
                // The virtual user and its socket share one event loop, so nothing arrives in between.
                .exec(takeInbound())
                .exec(ws("audio").sendText(session -> session.<SimulatedCall>get("call")
                    .nextFrame(System.currentTimeMillis()))))
        .exec(takeInbound())
        .exec(ws("media close").close());
  }

  /**
   * While the caller waits for an outcome: hands what the gateway sent to the call and records the decisions it
   * measured. One cheap test per frame otherwise (the load client shares the machine).
   */
  static ChainBuilder takeInbound() {
    return doIf(session -> session.<SimulatedCall>get("call").listening()
        || session.<SimulatedCall>get("call").hasTimings()).then(
        exec(ws.processUnmatchedMessages(MediaCallsSimulation::inbound))
            .exec(session -> session.set("timings", session.<SimulatedCall>get("call").takeTimings()))
            .exec(RecordTimings.from("timings")));
  }

  static ChainBuilder mediaUpgrade(String name) {
    return exec(ws(name).connect("/ws/media")
        .header("Authorization", "Bearer #{mediaToken}")
        .header("x-ms-call-connection-id", "#{callConnectionId}")
        .header("x-ms-call-correlation-id", "#{correlationId}"));
  }

  static Session inbound(List<WsInboundMessage> messages, Session session) {
    SimulatedCall call = session.get("call");
    for (WsInboundMessage message : messages) {
      if (message instanceof WsInboundMessage.Text text) {
        call.onInbound(text.timestamp(), text.message());
      }
    }
    return session;
  }

  String named(Session session, String name) {
    return System.currentTimeMillis() < measuredFromMs ? WARM_UP + name : name;
  }
}
