package io.tonegate.media;

import java.time.Instant;

/**
 * One key press of a call, after merging (see {@code docs/media.md}, "Digits from three sources"): a press seen
 * by several sources is reported once, by the source that saw it first.
 *
 * @param digit      {@code 0-9}, {@code *}, {@code #}, {@code A-D}
 * @param source     the source that reported it first
 * @param streamMs   start of the tone in milliseconds from the start of the audio stream, or -1 when the source
 *                   does not know it (DTMF_DATA and CALLBACK)
 * @param durationMs tone length in milliseconds, or -1 when unknown
 * @param receivedAt wall-clock time the gateway learned of it
 */
public record DigitEvent(char digit, DigitSource source, long streamMs, long durationMs, Instant receivedAt) {

  /** True for the sixteen DTMF keys. */
  public static boolean isDtmfKey(char c) {
    return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
  }
}
