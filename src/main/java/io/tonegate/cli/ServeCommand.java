package io.tonegate.cli;

import io.tonegate.config.ConfigException;
import io.tonegate.config.ConfigLoader;
import io.tonegate.config.LoggingConfig;
import io.tonegate.config.TonegateConfig;
import io.tonegate.gateway.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the gateway until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Serve HTTPS/WSS (default https://localhost:8443) with an embedded Redis unless TONEGATE_REDIS_URL is set.",
        "Every key of conf/tonegate.yaml can be overridden with TONEGATE_<KEY_PATH> environment variables."})
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML or JSON file with the keys to change from the defaults (conf/tonegate.yaml).")
  private Path configFile;

  @Override
  public Integer call() {
    TonegateConfig config;
    try {
      config = TonegateConfig.from(ConfigLoader.load(configFile, System.getenv()));
    } catch (ConfigException e) {
      System.err.println("tonegate: invalid configuration: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    configureLogging(config.logging());

    Gateway gateway;
    try {
      gateway = Gateway.start(config);
    } catch (ConfigException e) {
      System.err.println("tonegate: invalid configuration: " + e.getMessage());
      return Main.EXIT_USAGE;
    } catch (RuntimeException e) {
      System.err.println("tonegate: cannot start: " + rootMessage(e));
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "tonegate-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Picks the logback configuration before the first logger is created. */
  static void configureLogging(LoggingConfig logging) {
    System.setProperty("tonegate.log.level", logging.level().name());
    if (logging.format() == LoggingConfig.Format.JSON) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
