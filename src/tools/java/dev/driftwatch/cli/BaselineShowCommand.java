package dev.driftwatch.cli;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.SummaryStats;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code driftwatch baseline show}: what baseline files hold, one block per feature. Numbers are printed in full
 * (Java's shortest round-trip form) so what is shown is exactly what is stored.
 */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Prints the baselines of a baseline directory or file: model, version, feature, kind, counts, "
                + "bin edges and fractions (or categories and fractions), reference sample, summary statistics, lineage.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:shown", "2:no such file or directory, or not a baseline file"})
public final class BaselineShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR_OR_FILE", description = "Baseline directory (every *.avro in it) or one baseline file.")
    Path location;

    @Option(names = "--sample-values", description = "Also print every value of each reference sample.")
    boolean sampleValues;

    @Override
    public Integer call() {
        List<FeatureBaseline> baselines = BaselineStore.read(location);
        PrintWriter w = spec.commandLine().getOut();
        if (baselines.isEmpty()) {
            w.println("no baselines in " + location);
        }
        for (FeatureBaseline b : baselines) {
            print(w, b);
        }
        w.flush();
        return ExitCodes.OK;
    }

    private void print(PrintWriter w, FeatureBaseline b) {
        w.printf("%s%n", Baseline.describe(b));
        w.printf("  model:        %s%n", b.getModel());
        w.printf("  version:      %s%n", b.getVersion());
        w.printf("  feature:      %s%n", b.getFeature());
        w.printf("  kind:         %s%n", b.getKind());
        w.printf("  count:        %d%n", b.getCount());
        w.printf("  missing:      %d (fraction %s)%n", b.getMissingCount(), b.getMissingFraction());
        if (b.getKind() == FeatureKind.NUMERIC) {
            w.printf("  bins:         %d%n", b.getBinFractions().size());
            w.printf("  edges:        %s%n", list(b.getBinEdges()));
            w.printf("  fractions:    %s%n", list(b.getBinFractions()));
            w.printf("  sample:       %d values (KS %s)%n", b.getReferenceSample().size(), b.getKsSupport());
            if (sampleValues) {
                w.printf("  sample values: %s%n", list(b.getReferenceSample()));
            }
            SummaryStats s = b.getStats();
            if (s != null) {
                w.printf("  stats:        mean=%s stddev=%s min=%s max=%s p50=%s p95=%s p99=%s%n",
                        s.getMean(), s.getStddev(), s.getMin(), s.getMax(), s.getP50(), s.getP95(), s.getP99());
            }
        } else {
            List<String> categories = b.getCategories();
            List<Double> fractions = b.getCategoryFractions();
            w.printf("  categories:   %d (+ other)%n", categories.size());
            int width = Math.max(7, categories.stream().mapToInt(c -> quoted(c).length()).max().orElse(0));
            for (int i = 0; i < categories.size(); i++) {
                w.printf(Locale.ROOT, "    %-" + width + "s  %s%n", quoted(categories.get(i)), fractions.get(i));
            }
            w.printf(Locale.ROOT, "    %-" + width + "s  %s%n", "(other)", fractions.get(fractions.size() - 1));
        }
        BaselineLineage l = b.getLineage();
        w.printf("  lineage:      sha256=%s rows=%d created_at=%s source=%s code_version=%s%n",
                l.getDatasetSha256(), l.getRows(), l.getCreatedAt(), l.getSource(), l.getCodeVersion());
    }

    private static String quoted(String category) {
        return "'" + category.replace("'", "''") + "'";
    }

    private static String list(List<Double> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
