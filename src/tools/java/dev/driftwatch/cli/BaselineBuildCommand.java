package dev.driftwatch.cli;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineBuilder;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.io.Table;
import dev.driftwatch.io.TableReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code driftwatch baseline build}: training data file in, one baseline file of a model version out. */
@Command(
        name = "build",
        description = {
                "Builds the baseline of every column of TRAIN (CSV with a header row, or Avro InferenceEvent file) "
                        + "and writes them to DIR/<model>__<version>.avro, replacing that file.",
                "Numeric columns: exact quantile bin edges and fractions, a seeded uniform reference sample for KS, "
                        + "summary statistics. Categorical columns: the most frequent categories and an 'other' fraction."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:bad input or usage (missing or unreadable file, bad CSV, a column without values)"})
public final class BaselineBuildCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "TRAIN",
            description = "Training data file (of an Avro file of events, only the events of --model are read).")
    Path input;

    @Mixin
    ModelVersionOptions modelVersion;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Baseline directory (created when missing).")
    Path out;

    @Option(names = "--bins", defaultValue = "" + BaselineBuilder.DEFAULT_BINS,
            description = "Quantile bins per numeric feature (default: ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--sample", defaultValue = "" + BaselineBuilder.DEFAULT_SAMPLE,
            description = "Reference sample size per numeric feature, for KS (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--top-categories", defaultValue = "" + BaselineBuilder.DEFAULT_TOP_CATEGORIES,
            description = "Categories kept per categorical feature; the rest count as 'other' (default: ${DEFAULT-VALUE}).")
    int topCategories;

    @Option(names = "--prediction-column", paramLabel = "COL",
            description = "Column holding the model's prediction; its baseline is stored as feature " + Baseline.PREDICTION_FEATURE
                    + ". (Avro input always has its prediction as " + Baseline.PREDICTION_FEATURE + ".)")
    String predictionColumn;

    @Override
    public Integer call() {
        positive("--bins", bins);
        positive("--sample", sample);
        positive("--top-categories", topCategories);
        String model = modelVersion.model;
        String version = modelVersion.version;
        if (model.isBlank() || version.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--model and --version must not be empty");
        }
        Table table = TableReader.read(input, Map.of(), model).requireRows();
        if (predictionColumn != null) {
            table = table.withColumnRenamed(predictionColumn, Baseline.PREDICTION_FEATURE);
        }
        BaselineBuilder builder = new BaselineBuilder(model, version, bins, sample, topCategories,
                BaselineBuilder.lineage(table, Instant.now()));
        List<FeatureBaseline> baselines = builder.buildAll(table);
        if (baselines.isEmpty()) {
            throw new ParameterException(spec.commandLine(), input + " has no columns");
        }
        Path file = BaselineStore.write(out, baselines);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %d baselines of %s/%s (%s) from %d rows of %s to %s%n", baselines.size(), model, version,
                "'" + String.join("', '", table.columnNames()) + "'", table.rows(), input, file);
        w.flush();
        return ExitCodes.OK;
    }

    private void positive(String flag, int value) {
        if (value < 1) {
            throw new ParameterException(spec.commandLine(), flag + " must be at least 1, got " + value);
        }
    }
}
