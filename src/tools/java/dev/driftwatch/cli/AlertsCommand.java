package dev.driftwatch.cli;

import picocli.CommandLine.Command;

/** {@code driftwatch alerts}: tools for the people who read the alert topic. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "Read the alert topic.",
        subcommands = {AlertsTailCommand.class})
public final class AlertsCommand {
}
