package io.tonegate.loadtest;

import io.tonegate.media.AudioFormat;
import io.tonegate.simulator.AcsMessages;
import io.tonegate.simulator.AudioScript;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The audio a simulated caller sends, rendered once and shared by every call: 20 ms frames of 16 kHz PCM as ACS
 * {@code AudioData} messages. The PCM comes from Tonegate's own simulator ({@link AudioScript}: real DTMF tone pairs,
 * speech-like noise) and the message layout from {@link AcsMessages}; only the timestamp and the participant are
 * filled in per frame, so that a frame costs a string concatenation, not a base64 encoding (the load client shares
 * the machine with the gateway).
 */
public final class CallAudio {

  public static final AudioFormat FORMAT = AudioFormat.PCM_16K;
  public static final int FRAME_MS = 20;
  /** A key press: 100 ms of tone (5 frames), then 100 ms of silence (ITU-T Q.24 needs at least 40 ms of each). */
  public static final int TONE_FRAMES = 5;
  public static final int GAP_FRAMES = 5;

  private static final Instant PLACEHOLDER_TIME = Instant.parse("2001-02-03T04:05:06.789Z");
  private static final String PLACEHOLDER_TIME_TEXT = "2001-02-03T04:05:06.789Z";
  private static final String PLACEHOLDER_PARTICIPANT = "@participant@";

  /** One frame as the text around its timestamp and participant. */
  public record Frame(String beforeTime, String beforeParticipant, String rest, boolean silent) {

    /** The AudioData message of this frame, stamped {@code epochMs}, from {@code participant}. */
    public String message(Timestamps clock, long epochMs, String participant) {
      return new StringBuilder(beforeTime.length() + beforeParticipant.length() + rest.length() + 64)
          .append(beforeTime).append(clock.format(epochMs)).append(beforeParticipant).append(participant)
          .append(rest).toString();
    }
  }

  public static final Frame SILENCE;
  public static final List<Frame> NOISE;
  private static final Map<Character, List<Frame>> TONES = new HashMap<>();

  static {
    int frameBytes = FORMAT.frameBytes();
    SILENCE = frame(new byte[frameBytes], 0, true);
    byte[] noise = AudioScript.parse("noise:1s", FORMAT.sampleRate()).steps().get(0).pcm();
    List<Frame> noiseFrames = new ArrayList<>();
    for (int offset = 0; offset + frameBytes <= noise.length; offset += frameBytes) {
      noiseFrames.add(frame(noise, offset, false));
    }
    NOISE = List.copyOf(noiseFrames);
    for (char key : "0123456789*#".toCharArray()) {
      byte[] tone = AudioScript.dtmfTones(String.valueOf(key), FORMAT.sampleRate(), TONE_FRAMES * FRAME_MS, 0);
      List<Frame> frames = new ArrayList<>();
      for (int i = 0; i < TONE_FRAMES; i++) {
        frames.add(frame(tone, i * frameBytes, false));
      }
      TONES.put(key, List.copyOf(frames));
    }
  }

  private CallAudio() {
  }

  /** The {@link #TONE_FRAMES} frames of {@code key}'s DTMF tone. */
  public static List<Frame> tone(char key) {
    List<Frame> frames = TONES.get(key);
    if (frames == null) {
      throw new IllegalArgumentException("no tone for key " + key);
    }
    return frames;
  }

  /** The AudioMetadata message that opens a stream. */
  public static String audioMetadata(String subscriptionId) {
    return AcsMessages.audioMetadata(subscriptionId, FORMAT);
  }

  private static Frame frame(byte[] pcm, int offset, boolean silent) {
    String message = AcsMessages.audioData(pcm, offset, FORMAT.frameBytes(), PLACEHOLDER_TIME,
        PLACEHOLDER_PARTICIPANT, silent);
    int time = message.indexOf(PLACEHOLDER_TIME_TEXT);
    int participant = message.indexOf(PLACEHOLDER_PARTICIPANT);
    if (time < 0 || participant < time) {
      throw new IllegalStateException("unexpected AudioData layout: " + message.substring(0, 120));
    }
    return new Frame(message.substring(0, time),
        message.substring(time + PLACEHOLDER_TIME_TEXT.length(), participant),
        message.substring(participant + PLACEHOLDER_PARTICIPANT.length()), silent);
  }

  /**
   * ACS's timestamp format ({@code 2026-11-22T14:50:05.170Z}, as {@link AcsMessages} writes it), with the text up
   * to the second cached: one per call, not thread-safe.
   */
  public static final class Timestamps {
    private long second = Long.MIN_VALUE;
    private String prefix = "";

    public String format(long epochMs) {
      long s = Math.floorDiv(epochMs, 1000);
      if (s != second) {
        second = s;
        prefix = LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC).toString();
        if (prefix.length() == 16) {
          prefix += ":00"; // LocalDateTime drops zero seconds
        }
        prefix += ".";
      }
      int ms = (int) Math.floorMod(epochMs, 1000);
      return prefix + (ms < 10 ? "00" : ms < 100 ? "0" : "") + ms + "Z";
    }
  }
}
