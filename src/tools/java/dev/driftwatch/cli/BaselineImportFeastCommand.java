package dev.driftwatch.cli;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.baseline.FeastBaselineImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code driftwatch baseline import-feast}: a feature view's Feast monitoring baseline in, one baseline file out. */
@Command(
        name = "import-feast",
        description = {"Reads the baseline of a feature view from Feast's data-quality monitoring (Feast >= 0.64, "
                + "`feast serve_registry --rest-api`: GET URL/api/v1/monitoring/metrics/baseline) and writes one "
                + "FeatureBaseline per feature to DIR/<model>__<version>.avro.",
                "PSI and KL run on Feast's histogram bins; KS is unavailable for such baselines (Feast keeps no "
                        + "training values), so the job does not run it."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:Feast unreachable, an HTTP error, a body that is not Feast's JSON, no baseline, bad usage"})
public final class BaselineImportFeastCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "URL",
            description = "Base URL of Feast's registry REST server, e.g. http://feast-registry:6572")
    URI url;

    @Option(names = "--project", required = true, paramLabel = "P", description = "Feast project.")
    String project;

    @Option(names = "--feature-view", required = true, paramLabel = "V", description = "Feast feature view.")
    String featureView;

    @Mixin
    ModelVersionOptions modelVersion;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Baseline directory (created when missing).")
    Path out;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Connect and request timeout (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new ParameterException(spec.commandLine(), "--url must be an http(s) URL, got " + url);
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1, got " + timeoutSeconds);
        }
        List<FeatureBaseline> baselines = new FeastBaselineImporter(Duration.ofSeconds(timeoutSeconds))
                .importBaselines(url, project, featureView, modelVersion.model, modelVersion.version);
        Path file = BaselineStore.write(out, baselines);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %d baselines of %s/%s from Feast feature view %s/%s to %s (KS unavailable: Feast keeps no training values)%n",
                baselines.size(), modelVersion.model, modelVersion.version, project, featureView, file);
        w.flush();
        return ExitCodes.OK;
    }
}
