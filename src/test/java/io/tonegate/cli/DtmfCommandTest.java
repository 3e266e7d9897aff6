package io.tonegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tonegate.dtmf.WavFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

@DisplayName("tonegate dtmf FILE.wav")
class DtmfCommandTest {

  @TempDir
  Path dir;

  private record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new DtmfCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Result(exit, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
  }

  /** 100 ms of silence, then each key for 80 ms followed by 70 ms of silence, both tones at -8 dBm0. */
  private static short[] keys(int rate, String keys) {
    String layout = "123A456B789C*0#D";
    double[] rows = {697, 770, 852, 941};
    double[] cols = {1209, 1336, 1477, 1633};
    double amplitude = 32768 * Math.pow(10, (-8 - 3.14) / 20);
    int per = rate * 150 / 1000;
    short[] pcm = new short[rate / 10 + keys.length() * per + rate / 10];
    for (int k = 0; k < keys.length(); k++) {
      int i = layout.indexOf(keys.charAt(k));
      int start = rate / 10 + k * per;
      for (int n = 0; n < rate * 80 / 1000; n++) {
        double t = (double) n / rate;
        pcm[start + n] = (short) Math.round(amplitude * (Math.sin(2 * Math.PI * rows[i / 4] * t)
            + Math.sin(2 * Math.PI * cols[i % 4] * t)));
      }
    }
    return pcm;
  }

  private Path wav(String name, int rate, short[] pcm) throws IOException {
    Path p = dir.resolve(name);
    WavFile.write(p, rate, pcm, 0, pcm.length);
    return p;
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {8000, 16000, 24000})
  @DisplayName("prints DIGIT START_MS END_MS for each digit in order and exits 0")
  void printsDigits(int rate) throws IOException {
    Path file = wav("keys.wav", rate, keys(rate, "159#0*D"));
    Result r = run(file.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.lines()).hasSize(7);
    String keys = "159#0*D";
    for (int k = 0; k < keys.length(); k++) {
      String[] f = r.lines().get(k).split(" ");
      assertThat(f).hasSize(3);
      assertThat(f[0]).isEqualTo(String.valueOf(keys.charAt(k)));
      assertThat(Long.parseLong(f[1])).isBetween(100L + 150 * k - 2, 100L + 150 * k + 2);
      assertThat(Long.parseLong(f[2])).isBetween(180L + 150 * k - 2, 180L + 150 * k + 2);
    }
  }

  @Test
  @DisplayName("prints JSON lines with --json")
  void printsJson() throws IOException {
    Path file = wav("keys.wav", 16000, keys(16000, "7"));
    Result r = run("--json", file.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.lines()).singleElement().asString()
        .matches("\\{\"digit\":\"7\",\"start_ms\":(99|100|101),\"end_ms\":(179|180|181),"
            + "\"low_dbm0\":-(8\\.[0-9]|7\\.9),\"high_dbm0\":-(8\\.[0-9]|7\\.9)\\}");
  }

  @Test
  @DisplayName("prints nothing and exits 0 for a file without digits")
  void silentFile() throws IOException {
    Result r = run(wav("silence.wav", 8000, new short[8000]).toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEmpty();
  }

  @Test
  @DisplayName("exits 2 with one line on stderr for stereo, 8-bit, float, other rates, non-WAV, truncated and missing files")
  void rejectsUnsupportedFiles() throws IOException {
    short[] pcm = keys(16000, "1");
    Path good = wav("good.wav", 16000, pcm);
    byte[] bytes = Files.readAllBytes(good);

    assertRejected(patch(bytes, "stereo.wav", 22, (short) 2), "2 channels, need mono");
    assertRejected(patch(bytes, "8bit.wav", 34, (short) 8), "8-bit samples, need 16-bit PCM");
    assertRejected(patch(bytes, "float.wav", 20, (short) 3), "format 3 (IEEE float), need 16-bit PCM");
    Path rate = wav("44k.wav", 44100, pcm);
    assertRejected(rate, "44100 Hz, need 8000, 16000 or 24000 Hz");
    assertRejected(wav("11k.wav", 11025, pcm), "11025 Hz");
    assertRejected(write("text.wav", "DIGIT START_MS END_MS\n".getBytes()), "not a WAV file: no RIFF/WAVE header");
    assertRejected(write("empty.wav", new byte[0]), "not a WAV file");
    assertRejected(write("cut.wav", Arrays.copyOf(bytes, bytes.length - 1001)), "truncated WAV file");
    assertRejected(write("header.wav", Arrays.copyOf(bytes, 30)), "truncated WAV file");
    assertRejected(write("nodata.wav", Arrays.copyOf(bytes, 36)), "truncated WAV file: no data chunk");
    assertRejected(dir.resolve("missing.wav"), "no such file");
  }

  @Test
  @DisplayName("reads WAVE_FORMAT_EXTENSIBLE files and skips unknown chunks")
  void readsExtensibleWav() throws IOException {
    short[] pcm = keys(24000, "3");
    ByteBuffer b = ByteBuffer.allocate(12 + 8 + 40 + 8 + 6 + 8 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(b.capacity() - 8).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(40).putShort((short) 0xFFFE).putShort((short) 1).putInt(24000).putInt(48000)
        .putShort((short) 2).putShort((short) 16).putShort((short) 22).putShort((short) 16).putInt(4)
        .putShort((short) 1).put(new byte[14]);
    b.put("LIST".getBytes()).putInt(5).put(new byte[6]); // odd-sized chunk, padded
    b.put("data".getBytes()).putInt(2 * pcm.length);
    for (short s : pcm) {
      b.putShort(s);
    }
    Result r = run(write("ext.wav", b.array()).toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.lines()).singleElement().asString().startsWith("3 ");
  }

  @Test
  @DisplayName("is a subcommand of the tonegate command line")
  void isRegisteredInMain() throws IOException {
    Path text = write("x.wav", "not audio".getBytes());
    assertThat(Main.run("dtmf", text.toString())).isEqualTo(Main.EXIT_USAGE);
    assertThat(Main.run("dtmf", wav("s.wav", 8000, new short[800]).toString())).isZero();
  }

  private void assertRejected(Path file, String message) {
    Result r = run(file.toString());
    assertThat(r.exit()).as(file.getFileName().toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.lines()).isEmpty();
    assertThat(r.err()).endsWith("\n").contains(message);
    assertThat(r.err().strip()).doesNotContain("\n").startsWith("tonegate dtmf: ");
  }

  private Path patch(byte[] wav, String name, int offset, short value) throws IOException {
    byte[] copy = wav.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, value);
    return write(name, copy);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }
}
