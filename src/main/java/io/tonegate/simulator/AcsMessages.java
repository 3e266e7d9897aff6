package io.tonegate.simulator;

import io.tonegate.media.AudioFormat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * The messages ACS media streaming sends, as in acs-wire.md §1.2 (the Microsoft quickstart's examples): {@code kind}
 * in PascalCase, camelCase payload keys, {@code participantRawID} with a capital ID, ISO timestamps with an offset.
 */
public final class AcsMessages {

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  private AcsMessages() {
  }

  public static String audioMetadata(String subscriptionId, AudioFormat format) {
    return "{\"kind\":\"AudioMetadata\",\"audioMetadata\":{\"subscriptionId\":\"" + subscriptionId
        + "\",\"encoding\":\"" + format.encoding() + "\",\"sampleRate\":" + format.sampleRate()
        + ",\"channels\":" + format.channels() + ",\"length\":" + format.frameBytes() + "}}";
  }

  public static String audioData(byte[] pcm, int offset, int length, Instant timestamp, String participantRawId,
                                 boolean silent) {
    String data = Base64.getEncoder().encodeToString(offset == 0 && length == pcm.length
        ? pcm : java.util.Arrays.copyOfRange(pcm, offset, offset + length));
    return "{\"kind\":\"AudioData\",\"audioData\":{\"timestamp\":\""
        + OffsetDateTime.ofInstant(timestamp, ZoneOffset.UTC).format(TIMESTAMP)
        + "\",\"participantRawID\":\"" + participantRawId + "\",\"data\":\"" + data + "\",\"silent\":" + silent + "}}";
  }

  public static String dtmfData(char digit, Instant timestamp, String participantRawId) {
    return "{\"kind\":\"DtmfData\",\"dtmfData\":{\"timestamp\":\""
        + OffsetDateTime.ofInstant(timestamp, ZoneOffset.UTC).format(TIMESTAMP)
        + "\",\"participantRawID\":\"" + participantRawId + "\",\"data\":\"" + digit + "\"}}";
  }
}
