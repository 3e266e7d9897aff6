package io.tonegate.caller;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigTree;
import io.tonegate.session.SessionConfig;

import java.time.Duration;

/**
 * The {@code caller} section: how codes are collected, retries, the Redis deadline, and what happens after a
 * decision. Code lengths come from {@code session} (keys and collection must agree).
 *
 * @param enabled       whether media sessions are authenticated at all (false: no session is ever authorized by it)
 * @param rules         collection and retry rules
 * @param redisDeadline longest a validation may take; later is {@link AttemptOutcome#UNAVAILABLE} (fail closed)
 * @param hangUp        hang up REJECTED and LOCKED_OUT calls after their tone (through Call Automation)
 * @param eventsChannel Redis pub/sub channel (under {@code redis.keyPrefix}) that outcome events are published on
 */
public record CallerConfig(boolean enabled, CollectionRules rules, Duration redisDeadline, boolean hangUp, String eventsChannel) {

  public static CallerConfig from(ConfigTree caller, SessionConfig session) {
    String terminator = caller.string("terminator").trim();
    if (terminator.length() != 1 || "0123456789".contains(terminator)) {
      throw new ConfigException(caller.path("terminator"), "must be one DTMF key that is not a digit: # * A B C D");
    }
    char key = terminator.charAt(0);
    if ("#*ABCD".indexOf(key) < 0) {
      throw new ConfigException(caller.path("terminator"), "must be one of # * A B C D, got '" + terminator + "'");
    }
    if (key == '*') {
      throw new ConfigException(caller.path("terminator"), "cannot be * (it clears the entry)");
    }
    String channel = caller.nonEmptyString("eventsChannel");
    if (!channel.matches("[A-Za-z0-9:._-]{1,64}")) {
      throw new ConfigException(caller.path("eventsChannel"), "must be 1-64 of A-Z a-z 0-9 : . _ -");
    }
    CollectionRules rules = new CollectionRules(key,
        session.rules().minCodeLength(),
        session.rules().maxCodeLength(),
        caller.duration("firstDigitTimeout", Duration.ofSeconds(1), Duration.ofMinutes(5)),
        caller.duration("interDigitTimeout", Duration.ofMillis(500), Duration.ofMinutes(1)),
        caller.intValue("maxAttempts", 1, 20),
        caller.intValue("maxUnavailable", 1, 20),
        caller.duration("automaticRetryDelay", Duration.ofMillis(100), Duration.ofMinutes(1)));
    return new CallerConfig(caller.bool("enabled"), rules,
        caller.duration("redisDeadline", Duration.ofMillis(10), Duration.ofSeconds(30)),
        caller.bool("hangUp"),
        channel);
  }
}
