package io.tonegate.caller;

import io.tonegate.audio.Goertzel;
import io.tonegate.audio.Pcm16;
import io.tonegate.audio.ToneGenerator;

import java.util.function.BiConsumer;

/**
 * Recognises {@link OutcomeTone}s in the audio the gateway plays back: what the simulator listens with, the way a
 * caller learns the outcome. Streaming: feed PCM in slices of any size.
 *
 * <p>Audio is cut in 20 ms frames. A frame is a <em>hit</em> for a tone when that tone carries at least half of the
 * frame's energy and is louder than -40 dBm0. Three hits (about 60 ms of tone) start the tone; it ends after
 * {@link #QUIET_MS} without a hit, which bridges the gaps inside a sequence, so each played sequence is reported once
 * as a start and once as an end.
 */
public final class OutcomeToneDetector {

  /** One report: a sequence started (recognised) or ended. */
  public enum Edge { START, END }

  /** Frame length: 20 ms, the ACS packet period (acs-wire.md §1.3). */
  public static final double FRAME_MS = 20;
  /** Hit frames that start a tone: 60 ms; every sequence tone lasts at least 150 ms. */
  public static final int START_HITS = 3;
  /** Silence that ends a sequence: longer than the 100 ms gaps inside one. */
  public static final double QUIET_MS = 160;
  /** Share of a frame's energy the tone must carry. */
  public static final double MIN_ENERGY_SHARE = 0.5;

  private static final double MIN_POWER = Math.pow(ToneGenerator.amplitude(-40) / 32768.0, 2);
  private static final OutcomeTone[] TONES = OutcomeTone.values();

  private final int sampleRate;
  private final int frameSamples;
  private final int quietFrames;
  private final BiConsumer<OutcomeTone, Edge> listener;
  private final byte[] frame;
  private int filled;
  private final int[] hits = new int[TONES.length];
  private final int[] misses = new int[TONES.length];
  private final boolean[] on = new boolean[TONES.length];

  /** @param listener receives each sequence's start and end, on the feeding thread */
  public OutcomeToneDetector(int sampleRate, BiConsumer<OutcomeTone, Edge> listener) {
    this.sampleRate = sampleRate;
    this.frameSamples = Pcm16.samples(sampleRate, FRAME_MS);
    this.quietFrames = (int) Math.ceil(QUIET_MS / FRAME_MS);
    this.listener = listener;
    this.frame = new byte[frameSamples * Pcm16.BYTES_PER_SAMPLE];
  }

  /** Feeds little-endian 16-bit PCM; an odd trailing byte is kept for the next call. */
  public void feed(byte[] pcm) {
    int offset = 0;
    while (offset < pcm.length) {
      int n = Math.min(frame.length - filled, pcm.length - offset);
      System.arraycopy(pcm, offset, frame, filled, n);
      filled += n;
      offset += n;
      if (filled == frame.length) {
        analyse();
        filled = 0;
      }
    }
  }

  /** Feeds {@code ms} of silence (the stream went quiet: no more AudioData). */
  public void silence(double ms) {
    feed(new byte[Pcm16.samples(sampleRate, ms) * Pcm16.BYTES_PER_SAMPLE]);
  }

  private void analyse() {
    double energy = Goertzel.energy(frame, 0, frameSamples);
    for (int t = 0; t < TONES.length; t++) {
      double power = Goertzel.power(frame, 0, frameSamples, sampleRate, TONES[t].hz());
      boolean hit = power >= MIN_POWER && energy > 0 && power / (2 * energy) >= MIN_ENERGY_SHARE;
      if (hit) {
        misses[t] = 0;
        if (!on[t] && ++hits[t] >= START_HITS) {
          on[t] = true;
          listener.accept(TONES[t], Edge.START);
        }
      } else if (++misses[t] >= quietFrames) {
        hits[t] = 0;
        if (on[t]) {
          on[t] = false;
          listener.accept(TONES[t], Edge.END);
        }
      } else if (!on[t] && misses[t] > 1) {
        hits[t] = 0; // a start needs (nearly) consecutive hits
      }
    }
  }
}
