package dev.driftwatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code driftwatch baseline}: the group of baseline commands (build, show, diff, import-feast, publish, retire). */
@Command(
        name = "baseline",
        mixinStandardHelpOptions = true,
        description = "Builds, imports, inspects, compares and publishes training baselines (one Avro file of FeatureBaseline records per model version).",
        subcommands = {BaselineBuildCommand.class, BaselineShowCommand.class, BaselineDiffCommand.class, BaselinePublishCommand.class,
                BaselineRetireCommand.class, BaselineImportFeastCommand.class, CommandLine.HelpCommand.class})
public final class BaselineCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: build, show, diff, import-feast, publish or retire");
    }
}
