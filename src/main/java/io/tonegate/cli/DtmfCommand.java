package io.tonegate.cli;

import io.tonegate.dtmf.DtmfDigit;
import io.tonegate.dtmf.DtmfReceiver;
import io.tonegate.dtmf.WavFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tonegate dtmf FILE.wav}: decodes the DTMF digits of a recording, one line per digit. */
@Command(name = "dtmf", mixinStandardHelpOptions = true,
    description = {
        "Decode the DTMF digits in a 16-bit PCM mono WAV file (8, 16 or 24 kHz) with the gateway's receiver.",
        "Prints one line per digit, in order: DIGIT START_MS END_MS.",
        "Exit status: 0 when the file was decoded (even with no digit), 2 when it cannot be read or is not supported."})
public final class DtmfCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The WAV file.")
  private Path file;

  @Option(names = "--json", description = "Print JSON lines with the levels: "
      + "{\"digit\":\"5\",\"start_ms\":1020,\"end_ms\":1110,\"low_dbm0\":-7.1,\"high_dbm0\":-5.2}.")
  private boolean json;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      WavFile wav = WavFile.open(file);
      wav.decode(new DtmfReceiver(wav.sampleRate(), digit -> out.println(json ? toJson(digit) : toText(digit))));
      out.flush();
      return 0;
    } catch (IOException e) {
      out.flush();
      err.println("tonegate dtmf: " + file + ": " + oneLine(e));
      err.flush();
      return Main.EXIT_USAGE;
    }
  }

  static String toText(DtmfDigit d) {
    return d.key() + " " + d.startMs() + " " + d.endMs();
  }

  static String toJson(DtmfDigit d) {
    return String.format(Locale.ROOT, "{\"digit\":\"%c\",\"start_ms\":%d,\"end_ms\":%d,\"low_dbm0\":%.1f,\"high_dbm0\":%.1f}",
        d.key(), d.startMs(), d.endMs(), d.lowDbm0(), d.highDbm0());
  }

  private static String oneLine(IOException e) {
    String m = e instanceof WavFile.UnsupportedWavException ? e.getMessage()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return m.replace('\n', ' ');
  }
}
