package dev.driftwatch.cli;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.BaselinePublisher;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.baseline.BaselineTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code driftwatch baseline publish}: every baseline of a directory (or file) onto the compacted baseline topic. */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description = {"Writes every FeatureBaseline of DIR_OR_FILE to the compacted baseline topic, keyed by "
                + "model/version/feature (creating the topic with cleanup.policy=compact when it is missing). "
                + "A job reading the topic uses them from its next pane on, without a restart."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:published", "2:bad input or usage, broker unreachable, topic not compacted"})
public final class BaselinePublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR_OR_FILE", description = "Baseline directory (every *.avro in it) or one baseline file.")
    Path location;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() {
        List<FeatureBaseline> baselines = BaselineStore.read(location);
        if (baselines.isEmpty()) {
            throw new IllegalArgumentException(location + ": no baselines to publish");
        }
        List<BaselineTopic.Key> keys = new BaselinePublisher(kafka.bootstrapServers, kafka.topic, kafka.clientProperties())
                .publish(baselines);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("published %d baselines to %s%n", keys.size(), kafka.topic);
        for (BaselineTopic.Key k : keys) {
            w.printf("  %s%n", k);
        }
        w.flush();
        return ExitCodes.OK;
    }
}
