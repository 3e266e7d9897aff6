package io.tonegate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Set;

/**
 * {@code java -jar tonegate.jar [serve|...] [options]}: one jar, one subcommand per job. Without a subcommand it
 * serves.
 */
@Command(name = "tonegate", mixinStandardHelpOptions = true, version = "Tonegate 0.1.0",
    description = "Real-time media and signaling gateway for voice calls on Azure Communication Services.",
    subcommands = {
        ServeCommand.class,
        DtmfCommand.class,
        SimulateCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main {

  /** Exit code for bad usage, bad configuration or unsupported input. */
  public static final int EXIT_USAGE = 2;
  private static final Set<String> TOP_LEVEL_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main()); // picocli exits 2 on invalid usage, like a config error
    return cli.execute(withDefaultSubcommand(cli, args));
  }

  private static String[] withDefaultSubcommand(CommandLine cli, String[] args) {
    boolean namesSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    boolean topLevelOption = args.length > 0 && TOP_LEVEL_OPTIONS.contains(args[0]);
    if (namesSubcommand || topLevelOption) {
      return args;
    }
    String[] withServe = new String[args.length + 1];
    withServe[0] = "serve";
    System.arraycopy(args, 0, withServe, 1, args.length);
    return withServe;
  }
}
