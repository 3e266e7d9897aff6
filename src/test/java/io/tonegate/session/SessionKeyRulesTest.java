package io.tonegate.session;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionKeyRulesTest {

  private final SessionKeyRules rules = new SessionKeyRules(3, 8, false);

  @Test
  @DisplayName("the three key families parse into their parts, and the code is masked everywhere but canonical()")
  void parsesFamilies() {
    SessionKey pstn = rules.parse("pstn:+15551234567:823");
    assertThat(pstn.type()).isEqualTo(SessionKey.Type.PSTN);
    assertThat(pstn.subject()).isEqualTo("+15551234567");
    assertThat(pstn.canonical()).isEqualTo("pstn:+15551234567:823");
    assertThat(pstn.redacted()).isEqualTo("pstn:+15551234567:***");
    assertThat(pstn.toString()).doesNotContain("823");

    SessionKey sip = rules.parse("sip:a84b4c76e66710@pc33.atlanta.example.com");
    assertThat(sip.type()).isEqualTo(SessionKey.Type.SIP);
    assertThat(sip.subject()).isEqualTo("a84b4c76e66710@pc33.atlanta.example.com");
    assertThat(sip.hasCode()).isFalse();

    SessionKey acs = rules.parse("acs:441f1200-fd54-422e-9566-a867d187dca7");
    assertThat(acs.type()).isEqualTo(SessionKey.Type.ACS);
    assertThat(acs.canonical()).isEqualTo("acs:441f1200-fd54-422e-9566-a867d187dca7");
  }

  @Test
  @DisplayName("with SIP codes enabled, the code follows the last colon (a Call-ID may contain colons)")
  void sipWithCode() {
    SessionKeyRules withCode = new SessionKeyRules(3, 8, true);
    SessionKey key = withCode.parse("sip:abc:def@host:4711");
    assertThat(key.subject()).isEqualTo("abc:def@host");
    assertThat(key.codeLength()).isEqualTo(4);
    assertThatThrownBy(() -> withCode.parse("sip:abc@host")).isInstanceOf(InvalidSessionKeyException.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                              | missing_key",
      "pstn                            | bad_format",
      "pstn:+15551234567               | bad_format",
      "pstn:15551234567:823            | bad_ani",
      "pstn:+1 555 123 4567:823        | bad_ani",
      "pstn:+05551234567:823           | bad_ani",
      "pstn:+1234567890123456:823      | bad_ani",
      "pstn:+15551234567:82            | bad_code",
      "pstn:+15551234567:123456789     | bad_code",
      "pstn:+15551234567:82a           | bad_code",
      "pstn:+15551234567:            | bad_code",
      "sip:                            | bad_sip_call_id",
      "sip:a b                         | bad_sip_call_id",
      "sip:a\"b                        | bad_sip_call_id",
      "sip:a@b@c                       | bad_sip_call_id",
      "acs:                            | bad_call_connection_id",
      "acs:-abc                        | bad_call_connection_id",
      "acs:a/b                         | bad_call_connection_id",
      "ftp:x                           | unknown_type",
      "PSTN:+15551234567:823           | unknown_type"})
  @DisplayName("malformed keys are refused with a bounded reason and a message without the code")
  void refusesMalformed(String key, String reason) {
    assertThatThrownBy(() -> rules.parse(key))
        .isInstanceOfSatisfying(InvalidSessionKeyException.class, e -> {
          assertThat(e.reason()).isEqualTo(reason);
          assertThat(e.getMessage()).doesNotContain("823");
        });
  }

  @Test
  @DisplayName("overlong keys are refused before any other work")
  void refusesOverlong() {
    assertThatThrownBy(() -> rules.parse("sip:" + "a".repeat(400)))
        .isInstanceOfSatisfying(InvalidSessionKeyException.class, e -> assertThat(e.reason()).isEqualTo("key_too_long"));
    assertThatThrownBy(() -> rules.parse("sip:" + "a".repeat(300)))
        .isInstanceOfSatisfying(InvalidSessionKeyException.class,
            e -> assertThat(e.reason()).isEqualTo("bad_sip_call_id"));
  }

  @ParameterizedTest
  @CsvSource({
      "4:+15551234567, +15551234567",
      "+1 (555) 123-4567, +15551234567",
      "0044 20 7946 0000, +442079460000",
      "+15551234567, +15551234567"})
  @DisplayName("caller numbers from calls are normalised to E.164")
  void normalisesNumbers(String raw, String expected) {
    assertThat(E164.normalise(raw)).contains(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"anonymous", "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000014", "5551234567", "+", ""})
  @DisplayName("callers that are not phone numbers have no E.164 number")
  void notNumbers(String raw) {
    assertThat(E164.normalise(raw)).isEmpty();
  }

  @Test
  @DisplayName("digests are stable per secret, differ between keys and secrets, and are 43 URL-safe characters")
  void digests() {
    SessionKeyDigest a = new SessionKeyDigest(new byte[32]);
    byte[] other = new byte[32];
    other[0] = 1;
    SessionKeyDigest b = new SessionKeyDigest(other);
    SessionKey key = rules.parse("pstn:+15551234567:823");
    assertThat(a.digest(key)).isEqualTo(a.digest(rules.parse("pstn:+15551234567:823")));
    assertThat(a.digest(key)).isNotEqualTo(a.digest(rules.parse("pstn:+15551234567:824")));
    assertThat(a.digest(key)).isNotEqualTo(b.digest(key));
    assertThat(SessionStore.isId(a.digest(key))).isTrue();
    assertThatThrownBy(() -> new SessionKeyDigest(new byte[16])).isInstanceOf(IllegalArgumentException.class);
  }
}
