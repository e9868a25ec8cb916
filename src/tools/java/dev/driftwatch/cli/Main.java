package dev.driftwatch.cli;

import dev.driftwatch.baseline.BaselineBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The driftwatch command line ({@code bin/driftwatch}). Every subcommand is registered here, in the
 * {@code subcommands} list of the annotation, and nowhere else.
 */
@Command(
        name = "driftwatch",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Drift monitoring for production ML models: compare datasets, build and inspect baselines.",
        subcommands = {CompareCommand.class, BaselineCommand.class, RunCommand.class, DemoCommand.class, ReplayCommand.class,
                AlertsCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = execute(args, out, err);
        } catch (Error e) {
            // picocli rethrows Errors; exit 1 would read as "drift", so report and exit as an internal error
            err.println("driftwatch: internal error: " + e);
            e.printStackTrace(err);
            err.flush();
            code = ExitCodes.INTERNAL_ERROR;
        }
        System.exit(code);
    }

    /** Runs a command line in this JVM and returns its exit code ({@link ExitCodes}); output goes to out and err. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            String userError = userErrorMessage(e);
            if (userError != null) {
                // one line naming the file and column: the user's fix, not our stack
                command.getErr().println(command.getCommandName().equals("driftwatch")
                        ? "driftwatch: " + oneLine(userError)
                        : qualifiedName(command) + ": " + oneLine(userError));
                return ExitCodes.BAD_INPUT;
            }
            command.getErr().println(qualifiedName(command) + ": internal error: " + e);
            e.printStackTrace(command.getErr());
            return ExitCodes.INTERNAL_ERROR;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The message to print when {@code e} is the user's to fix, else null (a bug: exit 3 with the stack). */
    private static String userErrorMessage(Exception e) {
        // IllegalArgumentException covers InputException and the stores' checks; UncheckedIOException an unreadable file
        if ((e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)) || e instanceof UncheckedIOException) {
            return e.getMessage();
        }
        // a --property or address the Kafka client refuses. A client's constructor does no network I/O, so whatever
        // makes it fail ("Failed to construct kafka consumer", "Failed to create new KafkaAdminClient": a bad value,
        // a malformed JAAS line) is a setting
        Throwable root = e;
        boolean construction = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.kafka.common.config.ConfigException) {
                return "Kafka client setting refused: " + t.getMessage();
            }
            construction |= t instanceof org.apache.kafka.common.KafkaException && t.getMessage() != null
                    && (t.getMessage().startsWith("Failed to construct kafka") || t.getMessage().startsWith("Failed to create new KafkaAdminClient"));
            root = t;
        }
        return construction ? "Kafka client setting refused: " + (root.getMessage() == null ? root : root.getMessage()) : null;
    }

    private static String qualifiedName(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }

    private static String oneLine(String message) {
        return message == null ? "(no detail)" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** {@code driftwatch --version}: the Maven project version this build was made from. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"driftwatch " + BaselineBuilder.codeVersion()};
        }
    }
}
