package dev.driftwatch.cli;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.BaselineDiff;
import dev.driftwatch.baseline.BaselineStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code driftwatch baseline diff A B}: per feature, how far B's training distribution is from A's. */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = {"Compares two baselines of one model version each (a baseline file, or a directory holding one "
                + "model version): per feature, PSI and KL of B's fractions against A's, as the job would judge B's "
                + "training data against baseline A. Rows with PSI >= 0.25 start with '*'."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:compared", "2:missing file, not a baseline file, or not exactly one model version"})
public final class BaselineDiffCommand implements Callable<Integer> {
    static final double SIGNIFICANT_PSI = 0.25;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "Reference baseline (file, or directory of one model version).")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "Baseline to compare with A.")
    Path b;

    @Override
    public Integer call() {
        List<FeatureBaseline> left = oneVersion(a);
        List<FeatureBaseline> right = oneVersion(b);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("A: %s%n", describe(left));
        w.printf("B: %s%n", describe(right));
        w.printf(Locale.ROOT, "   %-16s %-12s %10s %10s %8s %8s %8s %8s  %s%n",
                "feature", "kind", "n_a", "n_b", "miss_a", "miss_b", "psi", "kl", "note");
        for (BaselineDiff.FeatureDiff d : BaselineDiff.compare(left, right)) {
            boolean significant = d.psi() != null && d.psi() >= SIGNIFICANT_PSI;
            w.printf(Locale.ROOT, "%s  %-16s %-12s %10s %10s %8s %8s %8s %8s  %s%n", significant ? "*" : " ",
                    d.feature(), d.kind().name().toLowerCase(Locale.ROOT), count(d.countA()), count(d.countB()),
                    fraction(d.missingA()), fraction(d.missingB()), fraction(d.psi()), fraction(d.kl()), d.note());
        }
        w.flush();
        return ExitCodes.OK;
    }

    private static List<FeatureBaseline> oneVersion(Path location) {
        List<FeatureBaseline> baselines = BaselineStore.read(location);
        Set<String> versions = new TreeSet<>();
        baselines.forEach(x -> versions.add(x.getModel() + "/" + x.getVersion()));
        if (versions.size() != 1) {
            throw new IllegalArgumentException(location + ": holds " + (versions.isEmpty() ? "no baselines"
                    : "baselines of " + versions.size() + " model versions " + versions) + "; give one model version's baseline file");
        }
        return baselines;
    }

    private static String describe(List<FeatureBaseline> baselines) {
        FeatureBaseline first = baselines.get(0);
        BaselineLineage l = first.getLineage();
        return String.format(Locale.ROOT, "%s/%s, %d features, training data sha256 %s, %d rows, built %s (%s)",
                first.getModel(), first.getVersion(), baselines.size(), l.getDatasetSha256(), l.getRows(),
                l.getCreatedAt(), l.getSource());
    }

    private static String count(Long v) {
        return v == null ? "-" : Long.toString(v);
    }

    private static String fraction(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
