package dev.driftwatch.cli;

import dev.driftwatch.baseline.BaselinePublisher;
import dev.driftwatch.baseline.BaselineTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code driftwatch baseline retire}: tombstones for a model version's baselines on the baseline topic. */
@Command(
        name = "retire",
        description = {"Writes a tombstone for every live baseline of --model/--version on the baseline topic (or only "
                + "of --feature). A running job stops using them from its next pane on; events of that version then "
                + "use the model's newest baseline when baselines.fallback-to-newest is true."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:retired", "2:nothing live to retire, bad usage, broker unreachable"})
public final class BaselineRetireCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelVersionOptions modelVersion;

    @Option(names = "--feature", paramLabel = "F", description = "Retire only this feature's baseline.")
    String feature;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() {
        List<BaselineTopic.Key> keys = new BaselinePublisher(kafka.bootstrapServers, kafka.topic, kafka.clientProperties())
                .retire(modelVersion.model, modelVersion.version, feature, Duration.ofSeconds(kafka.timeoutSeconds));
        PrintWriter w = spec.commandLine().getOut();
        w.printf("retired %d baselines on %s%n", keys.size(), kafka.topic);
        for (BaselineTopic.Key k : keys) {
            w.printf("  %s%n", k);
        }
        w.flush();
        return ExitCodes.OK;
    }
}
