package dev.driftwatch.cli;

import dev.driftwatch.DriftJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code driftwatch run --config C}: the job's graph in a local Flink cluster, as `flink run` would run it. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the drift job locally with the given configuration (the same graph `flink run` submits).")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "The driftwatch YAML configuration.")
    Path config;

    @Override
    public Integer call() throws Exception {
        DriftJob.main(new String[] {"--config", config.toString()});
        return ExitCodes.OK;
    }
}
