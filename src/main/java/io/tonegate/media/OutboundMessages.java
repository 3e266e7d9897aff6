package io.tonegate.media;

import java.util.Base64;

/**
 * The messages the gateway sends to ACS, byte for byte as the Java SDK's {@code OutStreamingData} produces them
 * (acs-wire.md §1.4): {@code kind} first and lower-case, PascalCase kind values, camelCase payload keys.
 */
public final class OutboundMessages {

  /** {@code OutStreamingData.getStopAudioForOutbound()}. */
  public static final String STOP_AUDIO = "{\"kind\":\"StopAudio\",\"stopAudio\":{}}";

  private static final String AUDIO_PREFIX = "{\"kind\":\"AudioData\",\"audioData\":{\"data\":\"";
  private static final String AUDIO_SUFFIX =
      "\",\"timestamp\":null,\"participant\":null,\"isSilent\":false},\"stopAudio\":null}";

  private OutboundMessages() {
  }

  /** {@code OutStreamingData.getStreamingDataForOutbound(BinaryData)} for {@code pcm[offset, offset + length)}. */
  public static String audioData(byte[] pcm, int offset, int length) {
    byte[] chunk = offset == 0 && length == pcm.length ? pcm : java.util.Arrays.copyOfRange(pcm, offset, offset + length);
    String b64 = Base64.getEncoder().encodeToString(chunk);
    return new StringBuilder(AUDIO_PREFIX.length() + b64.length() + AUDIO_SUFFIX.length())
        .append(AUDIO_PREFIX).append(b64).append(AUDIO_SUFFIX).toString();
  }
}
