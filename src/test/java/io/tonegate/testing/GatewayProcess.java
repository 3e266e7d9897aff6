package io.tonegate.testing;

import io.tonegate.cli.Main;
import io.tonegate.tls.DevCertificate;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real gateway in its own JVM ({@code tonegate serve}, as in production), so a test can SIGKILL it: no shutdown
 * hook, no graceful close, sockets reset by the kernel. Configured through {@code TONEGATE_*} environment variables;
 * several processes on one data directory share the TLS certificate, dev keys and access key like the instances of
 * one deployment.
 */
public final class GatewayProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("Tonegate listening on (https?)://localhost:(\\d+)");
  private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    // A failed or interrupted test run must not leave gateway JVMs behind.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "gateway-process-kill"));
  }

  private final String name;
  private final Process process;
  private final Path dataDir;
  private final int port;
  private final List<String> output;

  private GatewayProcess(String name, Process process, Path dataDir, int port, List<String> output) {
    this.name = name;
    this.process = process;
    this.dataDir = dataDir;
    this.port = port;
    this.output = output;
  }

  /**
   * Starts {@code tonegate serve} with {@code env} (TONEGATE_* keys) on a free port with {@code dataDir}, and waits
   * until it listens (up to 90 s: a cold JVM on a busy machine).
   */
  public static GatewayProcess start(String name, Path dataDir, Map<String, String> env) {
    try {
      Files.createDirectories(dataDir);
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
      ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true);
      builder.environment().keySet().removeIf(k -> k.startsWith("TONEGATE_"));
      builder.environment().put("TONEGATE_PORT", "0");
      builder.environment().put("TONEGATE_DATA_DIR", dataDir.toString());
      builder.environment().putAll(env);
      Process process = builder.start();
      RUNNING.add(process);
      process.onExit().thenRun(() -> RUNNING.remove(process));
      List<String> output = new CopyOnWriteArrayList<>();
      CompletableFuture<Integer> listening = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            output.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              listening.complete(Integer.parseInt(m.group(2)));
            }
          }
        } catch (IOException e) {
          // the process died: its output ends here
        }
        listening.completeExceptionally(new IllegalStateException(name + " exited before listening"));
      }, "gateway-" + name + "-output");
      reader.setDaemon(true);
      reader.start();
      try {
        int port = listening.get(90, TimeUnit.SECONDS);
        return new GatewayProcess(name, process, dataDir, port, output);
      } catch (Exception e) {
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not start: " + e.getMessage() + "\n" + String.join("\n", output), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "https://localhost:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process printed so far (for diagnostics). */
  public List<String> output() {
    return List.copyOf(output);
  }

  public Path certPath() {
    return dataDir.resolve("tls").resolve(DevCertificate.CERT_FILE);
  }

  public WebClientOptions webClientOptions() {
    return new WebClientOptions().setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(certPath().toString()))
        .setDefaultHost("localhost").setDefaultPort(port);
  }

  public WebSocketClientOptions webSocketOptions() {
    return new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certPath().toString()))
        .setDefaultHost("localhost").setDefaultPort(port);
  }

  /** SIGKILL: the process ends at once, nothing cleaned up. Waits for the exit. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: graceful shutdown
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", port " + port + ")";
  }
}
