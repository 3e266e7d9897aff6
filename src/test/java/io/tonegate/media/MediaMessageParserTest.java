package io.tonegate.media;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("media messages: parsing, base64, digit merge and outbound JSON (pure, no sockets)")
class MediaMessageParserTest {

  private final MediaMessageParser parser = new MediaMessageParser();

  private MediaMessage parse(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return parser.parse(bytes, bytes.length);
  }

  private byte[] pcm(MediaMessage m) {
    return Arrays.copyOf(parser.pcm(), m.pcmLength());
  }

  @Nested
  @DisplayName("the acs-wire.md §1.2 fixtures")
  class Fixtures {

    @Test
    @DisplayName("AudioMetadata from the quickstart")
    void audioMetadata() {
      MediaMessage m = parse("""
          {
            "kind": "AudioMetadata",
            "audioMetadata": {
              "subscriptionId": "89e8cb59-b991-48b0-b154-1db84f16a077",
              "encoding": "PCM",
              "sampleRate": 16000,
              "channels": 1,
              "length": 640
            }
          }""");
      assertThat(m.kind()).isEqualTo(MediaMessage.Kind.AUDIO_METADATA);
      assertThat(m.encoding()).isEqualTo("PCM");
      assertThat(m.sampleRate()).isEqualTo(16000);
      assertThat(m.channels()).isEqualTo(1);
      assertThat(m.length()).isEqualTo(640);
    }

    @Test
    @DisplayName("AudioData with an offset timestamp, participantRawID and silent")
    void audioData() {
      byte[] samples = new byte[640];
      new Random(1).nextBytes(samples);
      MediaMessage m = parse("{\"kind\":\"AudioData\",\"audioData\":{\"timestamp\":\"2024-11-15T19:16:12.925Z\","
          + "\"participantRawID\":\"8:acs:3d20e1de-0f28-41c5\",\"data\":\"" + Base64.getEncoder().encodeToString(samples)
          + "\",\"silent\":true}}");
      assertThat(m.kind()).isEqualTo(MediaMessage.Kind.AUDIO_DATA);
      assertThat(pcm(m)).isEqualTo(samples);
      assertThat(m.silent()).isTrue();
    }

    @Test
    @DisplayName("DtmfData")
    void dtmfData() {
      byte[] bytes = "{ \"kind\": \"DtmfData\", \"dtmfData\": { \"data\": \"3\" } }".getBytes(StandardCharsets.UTF_8);
      MediaMessage m = parser.parse(bytes, bytes.length);
      assertThat(m.kind()).isEqualTo(MediaMessage.Kind.DTMF_DATA);
      assertThat(new String(bytes, m.digitsStart(), m.digitsEnd() - m.digitsStart(), StandardCharsets.UTF_8))
          .isEqualTo("3");
    }
  }

  @Test
  @DisplayName("names and kind values match case-insensitively (.NET PascalCase, JS lower camel case)")
  void caseInsensitive() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4});
    assertThat(parse("{\"Kind\":\"AudioData\",\"AudioData\":{\"Data\":\"" + b64 + "\",\"IsSilent\":false}}").pcmLength())
        .isEqualTo(4);
    assertThat(parse("{\"kind\":\"audiodata\",\"audioData\":{\"data\":\"" + b64 + "\"}}").kind())
        .isEqualTo(MediaMessage.Kind.AUDIO_DATA);
    assertThat(parse("{\"KIND\":\"AUDIOMETADATA\",\"AUDIOMETADATA\":{\"SampleRate\":24000}}").sampleRate())
        .isEqualTo(24000);
  }

  @Test
  @DisplayName("dispatch follows kind, not the payload keys present; unknown or missing kinds are UNKNOWN")
  void dispatchOnKind() {
    assertThat(parse("{\"kind\":\"StopAudio\",\"stopAudio\":{},\"audioData\":{\"data\":\"AAAA\"}}").kind())
        .isEqualTo(MediaMessage.Kind.UNKNOWN);
    assertThat(parse("{\"audioData\":{\"data\":\"AAAA\"}}").kind()).isEqualTo(MediaMessage.Kind.UNKNOWN);
    assertThat(parse("{\"kind\":\"TranscriptionData\",\"transcriptionData\":{\"words\":[{\"text\":\"a\"}]}}").kind())
        .isEqualTo(MediaMessage.Kind.UNKNOWN);
    assertThat(parse("{}").kind()).isEqualTo(MediaMessage.Kind.UNKNOWN);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 639, 640, 641, 960})
  @DisplayName("decoded PCM equals java.util.Base64 for every length, padded or not, with or without \\/ escapes")
  void base64MatchesJdk(int length) {
    byte[] samples = new byte[length];
    new Random(length).nextBytes(samples);
    String padded = Base64.getEncoder().encodeToString(samples);
    String unpadded = Base64.getEncoder().withoutPadding().encodeToString(samples);
    for (String b64 : new String[] {padded, unpadded, padded.replace("/", "\\/")}) {
      MediaMessage m = parse("{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"" + b64 + "\"}}");
      assertThat(pcm(m)).as(b64).isEqualTo(samples);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "AAAAA", "AA=A", "AAA*", "AAAA====", "AA\\nA", "AA==AA==", "AAAAAAA\\u0041"})
  @DisplayName("invalid base64 is a BASE64 error")
  void badBase64(String data) {
    assertThatThrownBy(() -> parse("{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"" + data + "\"}}"))
        .isInstanceOfSatisfying(MediaProtocolException.class,
            e -> assertThat(e.kind()).isEqualTo(MediaProtocolException.Kind.BASE64));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "[]", "{\"kind\":\"AudioData\"", "{\"kind\":AudioData}", "{\"kind\":\"AudioData\",}",
      "{\"kind\":\"AudioData\"} x", "{\"a\":tru}", "{\"a\":01}", "{\"a\":\"\u0001\"}", "{\"a\":\"\\x\"}",
      "{\"kind\":\"AudioData\"}", "{\"kind\":\"AudioMetadata\",\"audioMetadata\":5}",
      "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"AAAA}}"})
  @DisplayName("malformed JSON (or an envelope without its payload) is a JSON error")
  void malformed(String json) {
    assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(MediaProtocolException.class,
        e -> assertThat(e.kind()).isEqualTo(MediaProtocolException.Kind.JSON));
  }

  @Test
  @DisplayName("valid JSON of every shape is skipped where it does not matter")
  void skipsEverything() {
    MediaMessage m = parse("{\"x\":[1,-2.5e3,true,false,null,\"s\\u00e9\",{\"y\":{}}],\"kind\":\"AudioMetadata\","
        + "\"audioMetadata\":{\"encoding\":\"PCM\",\"extra\":{\"a\":[]},\"sampleRate\":16000,\"channels\":1,"
        + "\"length\":640.5}}");
    assertThat(m.sampleRate()).isEqualTo(16000);
    assertThat(m.length()).isEqualTo(-2); // not an integer: refused as METADATA by the connection
  }

  @Test
  @DisplayName("digit merge: one press seen by three sources counts once; a source never duplicates itself")
  void digitMerge() {
    DigitMerger merger = new DigitMerger(1500);
    assertThat(merger.offer('5', DigitSource.IN_BAND, 0)).isTrue();
    assertThat(merger.offer('5', DigitSource.DTMF_DATA, 20)).isFalse();
    assertThat(merger.offer('5', DigitSource.CALLBACK, 400)).isFalse();
    assertThat(merger.offer('5', DigitSource.IN_BAND, 300)).isTrue();     // a second press, quickly
    assertThat(merger.offer('5', DigitSource.DTMF_DATA, 310)).isFalse();  // matches the second press
    assertThat(merger.offer('5', DigitSource.CALLBACK, 900)).isFalse();
    assertThat(merger.offer('5', DigitSource.CALLBACK, 950)).isTrue();    // no unmatched press left: new
    assertThat(merger.offer('6', DigitSource.DTMF_DATA, 1000)).isTrue();
    assertThat(merger.offer('6', DigitSource.IN_BAND, 4000)).isTrue();    // outside the window: new
  }

  @Test
  @DisplayName("outbound messages are byte for byte the Java SDK's OutStreamingData JSON")
  void outbound() {
    assertThat(OutboundMessages.audioData(new byte[] {1, 2, 3}, 0, 3)).isEqualTo("{\"kind\":\"AudioData\","
        + "\"audioData\":{\"data\":\"AQID\",\"timestamp\":null,\"participant\":null,\"isSilent\":false},"
        + "\"stopAudio\":null}");
    assertThat(OutboundMessages.STOP_AUDIO).isEqualTo("{\"kind\":\"StopAudio\",\"stopAudio\":{}}");
  }
}
