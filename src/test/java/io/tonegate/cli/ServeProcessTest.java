package io.tonegate.cli;

import io.tonegate.testing.TestRedis;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real `serve` command in its own JVM: start-up lines, SIGTERM, exit codes. */
class ServeProcessTest {

  private static Process launch(Path workDir, List<String> args, String... env) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(false);
    builder.environment().keySet().removeIf(k -> k.startsWith("TONEGATE_"));
    for (int i = 0; i < env.length; i += 2) {
      builder.environment().put(env[i], env[i + 1]);
    }
    return builder.start();
  }

  @Test
  @DisplayName("serve prints its URL and embedded Redis, serves /health, and on SIGTERM stops its Redis and exits")
  void serveAndTerminate() throws Exception {
    Path workDir = Files.createDirectories(TestRedis.dataRoot().resolve("serve-" + UUID.randomUUID()));
    Process process = launch(workDir, List.of(), "TONEGATE_PORT", "0", "TONEGATE_TLS_ENABLED", "false");
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String listening = readLineMatching(out, "Tonegate listening on ");
      readLineMatching(out, "  health ");
      String redisLine = readLineMatching(out, "Redis: ");
      assertThat(redisLine).startsWith("Redis: embedded redis-server on 127.0.0.1:");
      assertThat(workDir.resolve("data/redis")).isDirectory();

      Matcher url = Pattern.compile("(http://localhost:\\d+)").matcher(listening);
      assertThat(url.find()).isTrue();
      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url.group(1) + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      int redisPort = Integer.parseInt(redisLine.replaceAll(".*127\\.0\\.0\\.1:(\\d+).*", "$1"));
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", redisPort), 1000))
          .isInstanceOf(IOException.class);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  @DisplayName("an invalid environment value stops start-up with one line naming the key, exit code 2")
  void invalidConfigExitsTwo() throws Exception {
    Path workDir = Files.createDirectories(TestRedis.dataRoot().resolve("serve-" + UUID.randomUUID()));
    Process process = launch(workDir, List.of("serve"), "TONEGATE_PORT", "eighty");
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(stderr.lines().toList())
        .containsExactly("tonegate: invalid configuration: port: must be a whole number, got 'eighty'");
    assertThat(workDir.resolve("data")).doesNotExist();
  }

  @Test
  @DisplayName("--help describes serve and exits 0; an unknown option exits 2")
  void help() {
    assertThat(Main.run("serve", "--help")).isZero();
    assertThat(Main.run("--help")).isZero();
    assertThat(Main.run("serve", "--no-such-option")).isEqualTo(2);
  }

  private static String readLineMatching(BufferedReader reader, String prefix) throws IOException {
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    return null;
  }
}
