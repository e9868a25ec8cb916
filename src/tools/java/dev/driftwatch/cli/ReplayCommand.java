package dev.driftwatch.cli;

import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.replay.Replay;
import dev.driftwatch.replay.ReplayReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code driftwatch replay}: one event-time range through the job's graph, in batch mode, with a report. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replays an event-time range of the events topic through the job's graph (batch mode) and writes "
                + "a report: per window, production's drift and skew, and a candidate model's agreement and prediction drift.")
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "The driftwatch YAML configuration (topic, baselines, scoring).")
    Path config;

    @Option(names = "--from", required = true, description = "Range start, ISO-8601 UTC (inclusive), e.g. 2026-01-05T00:00:00Z.")
    String from;

    @Option(names = "--to", required = true, description = "Range end, ISO-8601 UTC (exclusive).")
    String to;

    @Option(names = "--model", description = "A candidate ONNX model, scored as a shadow of the configured model.")
    Path model;

    @Option(names = "--out", defaultValue = "target/replay", description = "Directory for report.json and report.md. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Instant start = instant("--from", from);
        Instant end = instant("--to", to);
        DriftConfig c = DriftConfig.load(config);
        Replay.Outcome outcome = Replay.run(c, start, end, model);
        ReplayReport report = ReplayReport.of(c, start, end, model, outcome);
        List<Path> files = report.write(out);
        spec.commandLine().getOut().printf("replayed %d events of %s .. %s: %d windows, %d alerts; report: %s, %s%n",
                outcome.eventsInRange(), start, end, ((List<?>) report.json().get("windows")).size(),
                outcome.alerts().size(), files.get(0), files.get(1));
        return ExitCodes.OK;
    }

    private static Instant instant(String flag, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(flag + ": expected an ISO-8601 UTC time like 2026-01-05T00:00:00Z, got '" + text + "'");
        }
    }
}
