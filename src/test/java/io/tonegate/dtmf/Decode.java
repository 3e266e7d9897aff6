package io.tonegate.dtmf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test helper: runs a receiver over PCM fed in random slice lengths and collects the digits. */
final class Decode {

  private Decode() {
  }

  static List<DtmfDigit> digits(short[] pcm, int rate, Random slicing) {
    List<DtmfDigit> out = new ArrayList<>();
    DtmfReceiver receiver = new DtmfReceiver(rate, out::add);
    int off = 0;
    while (off < pcm.length) {
      int n = Math.min(pcm.length - off, 1 + slicing.nextInt(2 * rate / 50));
      receiver.feed(pcm, off, n);
      off += n;
    }
    receiver.finish();
    return out;
  }

  static String keys(List<DtmfDigit> digits) {
    StringBuilder b = new StringBuilder();
    for (DtmfDigit d : digits) {
      b.append(d.key());
    }
    return b.toString();
  }
}
