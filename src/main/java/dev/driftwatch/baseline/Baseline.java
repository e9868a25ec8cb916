package dev.driftwatch.baseline;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.stats.SortedReference;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training reference of one feature of one model version, in the form the tests use it: the stored
 * {@link FeatureBaseline} plus what is derived from it once (sorted reference sample, category index).
 * Immutable and shared between tasks of a JVM.
 */
public final class Baseline {
    /** Reserved feature name under which the model's prediction is profiled and tested. */
    public static final String PREDICTION_FEATURE = "__prediction__";

    private final FeatureBaseline record;
    private final double[] edges;
    private final double[] fractions;
    private final double[] sortedSample;
    private final Map<String, Integer> categoryIndex;
    private final String fingerprint;
    // built on first use (KS of a window); final fields, so a racing second build is harmless
    private SortedReference reference;

    public Baseline(FeatureBaseline record) {
        this.record = record;
        this.edges = toArray(record.getBinEdges());
        if (record.getKind() == FeatureKind.NUMERIC) {
            this.fractions = toArray(record.getBinFractions());
            if (fractions.length != edges.length + 1) {
                throw new IllegalArgumentException(describe(record) + ": " + fractions.length
                        + " bin fractions for " + edges.length + " edges (expected edges + 1)");
            }
            this.categoryIndex = Map.of();
        } else {
            this.fractions = toArray(record.getCategoryFractions());
            List<String> categories = record.getCategories();
            if (fractions.length != categories.size() + 1) {
                throw new IllegalArgumentException(describe(record) + ": " + fractions.length
                        + " category fractions for " + categories.size() + " categories (expected categories + 1 for 'other')");
            }
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < categories.size(); i++) {
                index.put(categories.get(i), i);
            }
            this.categoryIndex = Map.copyOf(index);
        }
        this.sortedSample = toArray(record.getReferenceSample());
        Arrays.sort(sortedSample);
        this.fingerprint = record.getModel() + "/" + record.getVersion() + "/" + record.getFeature() + "@"
                + record.getLineage().getDatasetSha256() + ":" + record.getLineage().getCreatedAt().toEpochMilli();
    }

    public static String describe(FeatureBaseline b) {
        return "baseline " + b.getModel() + "/" + b.getVersion() + "/" + b.getFeature();
    }

    public FeatureBaseline record() {
        return record;
    }

    public String model() {
        return record.getModel();
    }

    public String version() {
        return record.getVersion();
    }

    public String feature() {
        return record.getFeature();
    }

    public FeatureKind kind() {
        return record.getKind();
    }

    public boolean isNumeric() {
        return record.getKind() == FeatureKind.NUMERIC;
    }

    /** Inner bin edges (numeric). */
    public double[] edges() {
        return edges;
    }

    /** Baseline fractions per bin (numeric) or per category plus 'other' (categorical). */
    public double[] fractions() {
        return fractions;
    }

    /** Number of cells a profile counts into: bins, or categories plus 'other'. */
    public int cells() {
        return fractions.length;
    }

    /** Index of a category among the baseline's categories, or the 'other' cell. */
    public int categoryCell(String category) {
        Integer i = categoryIndex.get(category);
        return i == null ? fractions.length - 1 : i;
    }

    public List<String> categories() {
        return record.getCategories();
    }

    public double[] sortedSample() {
        return sortedSample;
    }

    /** The reference sample with its counting table, for KS against windows. */
    public SortedReference reference() {
        SortedReference r = reference;
        if (r == null) {
            r = new SortedReference(sortedSample);
            reference = r;
        }
        return r;
    }

    public boolean supportsKs() {
        return record.getKsSupport() == KsSupport.SAMPLE && sortedSample.length > 0;
    }

    public double missingFraction() {
        return record.getMissingFraction();
    }

    public BaselineLineage lineage() {
        return record.getLineage();
    }

    /** Identifies this exact baseline (model, version, feature, training data and build time). */
    public String fingerprint() {
        return fingerprint;
    }

    private static double[] toArray(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
