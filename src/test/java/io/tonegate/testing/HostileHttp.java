package io.tonegate.testing;

import io.tonegate.testing.HostileInputs.Case;
import io.tonegate.testing.HostileInputs.Kind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@link HostileInputs} cases to one HTTP endpoint of a real gateway and checks the contract every endpoint
 * owes hostile input: an answer within the deadline (no hung request), never a 5xx, a 4xx for every case that must
 * be refused, and every 4xx in the JSON error shape ({@code {"error":{"code":..., "message":...}}}).
 *
 * <pre>{@code
 * HostileHttp.Report report = HostileHttp.send(client, HttpMethod.POST, "/api/events?code=" + secret, cases,
 *     (request, body) -> { });
 * report.assertClean();
 * }</pre>
 */
public final class HostileHttp {

  /** Per-request deadline: an answer later than this counts as a hung request. */
  public static final long DEADLINE_MS = 10_000;

  /** Adds what a case needs to get past authentication (a signature over the hostile body, a secret, a token). */
  @FunctionalInterface
  public interface Authenticator {
    void authenticate(HttpRequest<Buffer> request, byte[] body);

    Authenticator NONE = (request, body) -> { };
  }

  /** One case's outcome: its status (or -1 when no answer came) and the error code of a 4xx body. */
  public record Outcome(Case hostile, int status, String errorCode, String problem) {
  }

  private HostileHttp() {
  }

  /** Sends every case in order (one at a time: the point is correctness, not load). */
  public static Report send(WebClient client, HttpMethod method, String uri, List<Case> cases,
                            Authenticator authenticator) {
    List<Outcome> outcomes = new ArrayList<>(cases.size());
    for (Case hostile : cases) {
      outcomes.add(sendOne(client, method, uri, hostile, authenticator));
    }
    return new Report(method + " " + uri.replaceAll("([?&](code|sig)=)[^&]*", "$1***"), outcomes);
  }

  private static Outcome sendOne(WebClient client, HttpMethod method, String uri, Case hostile,
                                 Authenticator authenticator) {
    HttpRequest<Buffer> request = client.request(method, uri).timeout(DEADLINE_MS)
        .putHeader("content-type", "application/json");
    authenticator.authenticate(request, hostile.body());
    HttpResponse<Buffer> response;
    try {
      response = request.sendBuffer(Buffer.buffer(hostile.body())).await(DEADLINE_MS + 2_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return new Outcome(hostile, -1, null, "no answer within " + DEADLINE_MS + " ms: " + e);
    }
    int status = response.statusCode();
    String code = errorCode(response);
    String problem = null;
    if (status >= 500) {
      problem = "server error " + status;
    } else if (hostile.mustRefuse() && (status < 400 || status > 499)) {
      problem = "invalid input accepted with " + status;
    } else if (status >= 400 && code == null) {
      problem = status + " without the JSON error body";
    }
    return new Outcome(hostile, status, code, problem);
  }

  private static String errorCode(HttpResponse<Buffer> response) {
    try {
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      return error != null && error.getString("message") != null ? error.getString("code") : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Heap in use after a full GC, in MiB (the gateway under test runs in this JVM). */
  public static long usedHeapMib() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
  }

  /** The outcomes for one endpoint. */
  public static final class Report {

    private final String endpoint;
    private final List<Outcome> outcomes;

    Report(String endpoint, List<Outcome> outcomes) {
      this.endpoint = endpoint;
      this.outcomes = outcomes;
    }

    public List<Outcome> outcomes() {
      return outcomes;
    }

    public List<Outcome> problems() {
      return outcomes.stream().filter(o -> o.problem() != null).toList();
    }

    /** Fails listing up to 20 offending cases and the seed that reproduces them. */
    public Report assertClean(long seed) {
      List<Outcome> problems = problems();
      if (!problems.isEmpty()) {
        StringBuilder message = new StringBuilder(problems.size() + " of " + outcomes.size() + " hostile inputs to "
            + endpoint + " broke the contract (reproduce with -Dtonegate.fuzz.seed=" + seed + "):");
        problems.stream().limit(20).forEach(o -> message.append("\n  ").append(o.problem()).append(" <- ")
            .append(o.hostile()));
        throw new AssertionError(message.toString());
      }
      return this;
    }

    /** One line per kind: how many cases and which statuses came back, e.g. {@code MALFORMED 61: 400x61}. */
    public String summary() {
      Map<Kind, Map<Integer, Integer>> byKind = new EnumMap<>(Kind.class);
      for (Outcome o : outcomes) {
        byKind.computeIfAbsent(o.hostile().kind(), k -> new TreeMap<>()).merge(o.status(), 1, Integer::sum);
      }
      StringBuilder out = new StringBuilder(endpoint + ": " + outcomes.size() + " cases");
      byKind.forEach((kind, statuses) -> {
        out.append("; ").append(kind).append(' ');
        List<String> parts = new ArrayList<>();
        statuses.forEach((status, n) -> parts.add(status + "x" + n));
        out.append(String.join(" ", parts));
      });
      return out.toString();
    }
  }
}
