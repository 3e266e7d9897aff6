package io.tonegate.loadtest;

import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.stats.Status;
import io.gatling.core.action.Action;
import io.gatling.core.stats.StatsEngine;
import io.gatling.core.structure.ScenarioContext;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.Session;
import org.slf4j.LoggerFactory;
import scala.Option;

import java.util.List;

/**
 * Records latencies the client measured itself (a presence message from its {@code publishedAt} to its arrival; the
 * end of the caller's {@code #} tone to the first decision audio) as Gatling results with their exact start and end
 * timestamps: they appear in the reports and in the assertions like any request.
 *
 * <p>Why not {@code dummy(name, millis)}: Gatling's only public way to record a made-up response holds the virtual
 * user for the recorded time, which would stall a call's 20 ms-paced audio or a subscriber's reading. So this is
 * the one class that touches Gatling's core (Scala) API: {@code StatsEngine.logResponse} through a core
 * {@code Action} (checked against Gatling 3.15.1; an upgrade that changes them breaks the compilation here, not the
 * numbers).
 *
 * <p>Usage: put a {@code List<Timing>} in a session attribute, then {@code exec(RecordTimings.from("timings"))};
 * the list is recorded and removed.
 */
public final class RecordTimings implements ActionBuilder {

  /**
   * One measured step.
   *
   * @param name the Gatling request name
   * @param startMs epoch milliseconds when the step began
   * @param endMs epoch milliseconds when it ended (a value before {@code startMs} is recorded as 0 ms)
   * @param ok whether the step did what it should
   * @param message why it failed (shown in the report's errors), or empty
   */
  public record Timing(String name, long startMs, long endMs, boolean ok, String message) {

    public static Timing ok(String name, long startMs, long endMs) {
      return new Timing(name, startMs, endMs, true, "");
    }

    public static Timing failed(String name, long startMs, long endMs, String message) {
      return new Timing(name, startMs, endMs, false, message);
    }
  }

  private final String attribute;

  private RecordTimings(String attribute) {
    this.attribute = attribute;
  }

  /** Records the {@code List<Timing>} in the session attribute {@code attribute} (absent: nothing). */
  public static RecordTimings from(String attribute) {
    return new RecordTimings(attribute);
  }

  @Override
  public io.gatling.core.action.builder.ActionBuilder asScala() {
    return new io.gatling.core.action.builder.ActionBuilder() {
      @Override
      public Action build(ScenarioContext ctx, Action next) {
        return new RecordAction(attribute, ctx.coreComponents().statsEngine(), next);
      }
    };
  }

  private static final class RecordAction implements Action {

    private final String attribute;
    private final StatsEngine stats;
    private final Action next;
    private com.typesafe.scalalogging.Logger logger =
        com.typesafe.scalalogging.Logger$.MODULE$.apply(LoggerFactory.getLogger(RecordTimings.class));

    RecordAction(String attribute, StatsEngine stats, Action next) {
      this.attribute = attribute;
      this.stats = stats;
      this.next = next;
    }

    @Override
    public String name() {
      return "recordTimings";
    }

    @Override
    public void execute(io.gatling.core.session.Session scalaSession) {
      Session session = new Session(scalaSession);
      List<Timing> timings = session.contains(attribute) ? session.get(attribute) : List.of();
      for (Timing t : timings) {
        Status status = t.ok() ? OK$.MODULE$ : KO$.MODULE$;
        stats.logResponse(scalaSession.scenario(), scalaSession.groups(), t.name(), t.startMs(),
            Math.max(t.startMs(), t.endMs()), status, Option.apply(null),
            t.ok() ? Option.apply(null) : Option.apply(t.message()));
      }
      next.$bang(session.remove(attribute).asScala());
    }

    @Override
    public com.typesafe.scalalogging.Logger logger() {
      return logger;
    }

    @Override
    public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(com.typesafe.scalalogging.Logger value) {
      this.logger = value;
    }
  }
}
