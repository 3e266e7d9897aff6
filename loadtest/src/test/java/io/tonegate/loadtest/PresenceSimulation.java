package io.tonegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Presence fan-out: {@code -Dusers} WebSocket subscribers (each an ACS identity with a {@code presence.read} token,
 * subscribed to every watched user), and one publisher that changes the presence of {@code -Dwatched} users through
 * {@code PUT /api/presence/{user}} (HMAC-signed, as a service) at {@code -Drate} changes per second, so the gateway
 * delivers {@code users x rate} messages per second.
 *
 * <p>Each delivered message is measured from its {@code publishedAt} (the gateway's clock when it accepted the
 * change; same machine, same clock) to the moment Gatling received it, and recorded as {@code presence delivery}.
 * "Delivered to all subscribers" is checked too: a subscriber that sees a version jump (a change it never got) or
 * ends without a user's last published version records a failed {@code presence delivery}.
 *
 * <p>Timeline: subscribers connect during {@code ramp}; the publisher starts 2 s later and publishes for
 * {@code warmup + duration} (changes published during the warm-up are recorded as {@code warm-up: presence
 * delivery}); subscribers stay 3 s more to drain, then check and close.
 *
 * <pre>
 * loadtest/run.sh PresenceSimulation -Dusers=500 -Drate=20 -Dduration=60s -Dramp=10s
 * </pre>
 */
public class PresenceSimulation extends Simulation {

  static final String DELIVERY = "presence delivery";
  static final String SET_PRESENCE = "set presence";
  static final String WARM_UP = LoadProfile.WARM_UP_PREFIX;
  static final Duration SETTLE = Duration.ofSeconds(2);
  static final Duration DRAIN = Duration.ofSeconds(3);
  /** How often a subscriber looks at what it received (Gatling timestamps messages on arrival, so this is free). */
  static final Duration POLL = Duration.ofMillis(250);

  final LoadProfile profile = LoadProfile.fromSystemProperties(200, Duration.ofSeconds(30), Duration.ofSeconds(5));
  /** Presence changes per second over all watched users. */
  final double rate = LoadProfile.doubleProperty("rate", 20);
  /**
   * Users whose presence changes. Each one changes every {@code watched / rate} seconds: keep that above the
   * gateway's debounce window (presence.debounceWindow, 1 s), or changes are held and merged by design.
   */
  final int watched = LoadProfile.intProperty("watched", Math.max(10, (int) Math.ceil(rate * 2.5)));

  final SignedRequests signing = new SignedRequests();
  final String runId = Long.toString(System.currentTimeMillis(), 36);
  final List<String> watchedUsers = new ArrayList<>();
  /** Last version the publisher got back per watched user: every subscriber must end with at least this one. */
  final Map<String, Long> lastPublished = new ConcurrentHashMap<>();
  final AtomicLong changes = new AtomicLong();
  /** Changes published before this instant (epoch ms) belong to the warm-up. */
  volatile long measuredFrom = Long.MAX_VALUE;
  /** When the publisher finished (epoch ms), 0 before. */
  volatile long publisherDoneAt;
  /** Subscribers leave at this instant even if the publisher never finished. */
  final long hardEndAt = System.currentTimeMillis() + profile.ramp().plus(SETTLE).plus(profile.warmup())
      .plus(profile.duration()).plus(DRAIN).plus(Duration.ofSeconds(60)).toMillis();

  final HttpProtocolBuilder protocol = http
      .baseUrl(Target.baseUrl())
      .wsBaseUrl(Target.wsBaseUrl())
      .acceptHeader("application/json")
      .contentTypeHeader("application/json")
      .disableUrlEncoding()
      .wsUnmatchedInboundMessageBufferSize(100_000)
      .userAgentHeader("tonegate-loadtest");

  static final Pattern TYPE = Pattern.compile("\"type\":\"([a-z]+)\"");
  static final Pattern USER = Pattern.compile("\"user\":\"([^\"]+)\"");
  static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
  static final Pattern PUBLISHED_AT = Pattern.compile("\"publishedAt\":(\\d+)");

  {
    for (int i = 0; i < watched; i++) {
      watchedUsers.add("loadtest." + runId + "." + i);
    }
  }

  final ScenarioBuilder subscribers = scenario("presence subscribers")
      .exec(Identities.createWithToken(signing, "presence.read"))
      .exitHereIfFailed()
      .exec(ws("presence connect").connect("/ws/presence").header("Authorization", "Bearer #{token}"))
      .exitHereIfFailed()
      .exec(ws("presence subscribe").sendText(subscribeMessage())
          .await(10).on(ws.checkTextMessage("presence subscribed").check(jsonPath("$.type").is("subscribed"))))
      .exitHereIfFailed()
      .exec(session -> session.set("versions", new HashMap<String, Long>()))
      .asLongAs(session -> !finished()).on(
          pause(POLL)
              .exec(ws.processUnmatchedMessages(this::collect))
              .exec(RecordTimings.from("timings")))
      .exec(ws.processUnmatchedMessages(this::collect))
      .exec(RecordTimings.from("timings"))
      .exec(session -> session.set("timings", finalCheck(session.get("versions"))))
      .exec(RecordTimings.from("timings"))
      .exec(ws("presence close").close());

  final ScenarioBuilder publisher = scenario("presence publisher")
      .exec(session -> {
        measuredFrom = System.currentTimeMillis() + profile.warmup().toMillis();
        return session.set("round", 0L);
      })
      .during(profile.warmup().plus(profile.duration())).on(
          pace(Duration.ofNanos((long) (1e9 / rate)))
              .exec(session -> {
                long n = changes.getAndIncrement();
                String user = watchedUsers.get((int) (n % watched));
                boolean busy = (n / watched) % 2 == 0;
                return session.remove("version").set("user", user)
                    .set("presencePath", "/api/presence/" + user)
                    .set("presenceBody", busy
                        ? "{\"availability\":\"Busy\",\"activity\":\"InAMeeting\"}"
                        : "{\"availability\":\"Available\",\"activity\":\"Available\"}");
              })
              .exec(signing.signBody("PUT", "presencePath", "presenceBody"))
              .exec(signing.signed(http(SET_PRESENCE).put("#{presencePath}"))
                  .body(StringBody("#{presenceBody}"))
                  .check(status().is(200), jsonPath("$.version").ofLong().saveAs("version")))
              .exec(session -> {
                if (!session.isFailed() && session.contains("version")) {
                  lastPublished.merge(session.getString("user"), session.getLong("version"), Math::max);
                }
                return session;
              }))
      .exec(session -> {
        publisherDoneAt = System.currentTimeMillis();
        return session;
      });

  {
    System.out.printf("PresenceSimulation: %s rate=%.0f changes/s over %d watched users -> %.0f deliveries/s"
        + " against %s%n", profile, rate, watched, rate * profile.users(), Target.baseUrl());
    setUp(
        subscribers.injectOpen(rampUsers(profile.users()).during(profile.ramp())),
        publisher.injectOpen(nothingFor(profile.ramp().plus(SETTLE)), atOnceUsers(1)),
        new ServerSnapshots().population(profile.ramp().plus(SETTLE).plus(profile.warmup()), profile.duration()))
        .protocols(protocol)
        .assertions(
            details(DELIVERY).responseTime().percentile(99.0).lte(Budget.p99Millis(DELIVERY)),
            details(DELIVERY).allRequests().count().gt(0L),
            global().failedRequests().percent().lt(Budget.MAX_FAILED_PERCENT));
  }

  String subscribeMessage() {
    StringBuilder users = new StringBuilder();
    for (String user : watchedUsers) {
      users.append(users.length() == 0 ? "" : ",").append('"').append(user).append('"');
    }
    return "{\"op\":\"subscribe\",\"id\":\"s1\",\"users\":[" + users + "]}";
  }

  /** Subscribers stop once the publisher is done and the last changes had time to arrive (or at a hard limit). */
  boolean finished() {
    long now = System.currentTimeMillis();
    long done = publisherDoneAt;
    return (done > 0 && now > done + DRAIN.toMillis()) || now > hardEndAt;
  }

  /** Turns the received messages into deliveries to record, checking versions per user. */
  Session collect(List<WsInboundMessage> messages, Session session) {
    Map<String, Long> versions = session.get("versions");
    List<RecordTimings.Timing> timings = new ArrayList<>();
    for (WsInboundMessage message : messages) {
      if (!(message instanceof WsInboundMessage.Text text)) {
        continue;
      }
      String json = text.message();
      String type = find(TYPE, json);
      String user = find(USER, json);
      String version = find(VERSION, json);
      if (user == null || version == null || !("presence".equals(type) || "snapshot".equals(type))) {
        continue;
      }
      long v = Long.parseLong(version);
      Long previous = versions.put(user, v);
      if ("snapshot".equals(type)) {
        continue; // the state at subscription time: a baseline, not a delivery
      }
      String published = find(PUBLISHED_AT, json);
      long publishedAt = published == null ? 0 : Long.parseLong(published);
      String name = publishedAt < measuredFrom ? WARM_UP + DELIVERY : DELIVERY;
      boolean gap = previous != null && previous >= 0 && v != previous + 1;
      timings.add(gap
          ? RecordTimings.Timing.failed(name, publishedAt, message.timestamp(), "missed versions of a user")
          : RecordTimings.Timing.ok(name, publishedAt, message.timestamp()));
    }
    return session.set("timings", timings);
  }

  /** At the end: every subscriber must have the last version the publisher was told about, for every user. */
  List<RecordTimings.Timing> finalCheck(Map<String, Long> versions) {
    List<RecordTimings.Timing> missing = new ArrayList<>();
    long now = System.currentTimeMillis();
    lastPublished.forEach((user, version) -> {
      long seen = versions.getOrDefault(user, -1L);
      if (seen < version) {
        missing.add(RecordTimings.Timing.failed(DELIVERY, now, now, "a user's last change never arrived"));
      }
    });
    return missing;
  }

  static String find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
