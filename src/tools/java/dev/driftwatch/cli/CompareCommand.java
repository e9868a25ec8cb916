package dev.driftwatch.cli;

import dev.driftwatch.baseline.BaselineBuilder;
import dev.driftwatch.io.Table;
import dev.driftwatch.io.TableReader;
import dev.driftwatch.profile.DriftThresholds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code driftwatch compare}: is the current file drifted from the reference file, column by column? */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
                "Compares every column of CURRENT with the same column of REFERENCE (CSV with a header row, or Avro "
                        + "InferenceEvent files): KS and PSI/KL on the reference's quantile bins for numeric columns, "
                        + "chi-square and PSI/KL for categorical ones.",
                "A column drifts when KS or chi-square p < alpha after Bonferroni across the columns, or PSI >= 0.25; "
                        + "the dataset drifts when at least half of the columns drift."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
                "0:compared (drifted or not, unless --fail-on-drift)",
                "1:dataset drift, with --fail-on-drift",
                "2:bad input or usage (missing or unreadable file, no header, different columns, a column without values)"})
public final class CompareCommand implements Callable<Integer> {
    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "REFERENCE", description = "Reference (training) data file.")
    Path reference;

    @Option(names = "--current", required = true, paramLabel = "CURRENT", description = "Current (production) data file.")
    Path current;

    @Option(names = "--bins", defaultValue = "" + BaselineBuilder.DEFAULT_BINS,
            description = "Quantile bins of the reference for PSI and KL (default: ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--alpha", defaultValue = "0.01",
            description = "Significance level of KS and chi-square before Bonferroni (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--format", defaultValue = "table",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--fail-on-drift", description = "Exit with 1 when the dataset drifts.")
    boolean failOnDrift;

    @Override
    public Integer call() {
        if (bins < 1) {
            throw new ParameterException(spec.commandLine(), "--bins must be at least 1, got " + bins);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new ParameterException(spec.commandLine(), "--alpha must be in (0, 1), got " + alpha);
        }
        // a reference without rows would give every column the kind "numeric" and blame the current file
        Table ref = TableReader.read(reference).requireRows();
        // the reference decides each column's kind, so a current file that happens to hold only digits in a
        // categorical column is still read as categories
        Table cur = TableReader.read(current, DatasetComparison.kindsOf(ref)).requireRows();
        DatasetComparison comparison = DatasetComparison.of(ref, cur, bins, DriftThresholds.DEFAULTS.withAlpha(alpha));
        spec.commandLine().getOut().print(format == Format.json ? comparison.toJsonText() + "\n" : comparison.toTable());
        spec.commandLine().getOut().flush();
        return failOnDrift && comparison.datasetDrift() ? ExitCodes.DRIFT : ExitCodes.OK;
    }
}
