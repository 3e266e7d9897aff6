package io.tonegate.calls;

import java.util.List;

/**
 * Which incoming calls Tonegate answers ({@code calls.incoming.serve}): a call is served when its {@code to} matches
 * a rule. A rule is an E.164 number (matches that phone number), a raw id (exact), or a prefix ending in {@code *}
 * matched against both the raw id and, for phone numbers, the E.164 form; {@code *} alone matches every call.
 */
public final class AnswerRules {

  private final List<String> rules;

  public AnswerRules(List<String> rules) {
    this.rules = List.copyOf(rules);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** True when some rule serves calls to {@code to}. */
  public boolean serves(AcsIdentifier to) {
    String number = to.isPhoneNumber() ? to.displayId() : null;
    for (String rule : rules) {
      if (rule.endsWith("*")) {
        String prefix = rule.substring(0, rule.length() - 1);
        if (to.rawId().startsWith(prefix) || number != null && number.startsWith(prefix)) {
          return true;
        }
      } else if (rule.equals(to.rawId()) || rule.equals(number)) {
        return true;
      }
    }
    return false;
  }
}
