package dev.driftwatch.baseline;

import com.tdunning.math.stats.MergingDigest;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.avro.SummaryStats;
import dev.driftwatch.io.CategoricalColumn;
import dev.driftwatch.io.Column;
import dev.driftwatch.io.InputException;
import dev.driftwatch.io.NumericColumn;
import dev.driftwatch.io.Table;
import dev.driftwatch.stats.QuantileBins;
import dev.driftwatch.stats.Reservoir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Turns columns of training values into {@link FeatureBaseline}s, what `baseline build` stores and `compare`
 * judges the current file against.
 *
 * <p>Numeric columns: inner bin edges are the exact k/bins quantiles of all values (numpy's linear interpolation,
 * {@link QuantileBins#edges}), duplicates collapsed, and the bin fractions are exact counts / n. The builder sorts
 * every value of a column in memory, one column at a time, so no sketch is needed up to {@value #MAX_EXACT_VALUES}
 * values per column (about 400 MB for the sorted copy). Above that the sort itself becomes the cost, so edges and
 * p50/p95/p99 come from a t-digest of the column (compression {@value #DIGEST_COMPRESSION}: about 0.05% rank error
 * in the middle, less at the tails) and the fractions are still exact counts on those edges; the Javadoc of
 * {@link #numericFromDigest} says what differs. The reference sample for KS is a uniform
 * sample of {@code sampleSize} values drawn by a {@link Reservoir} from the sorted values, seeded from model,
 * version and feature, so rebuilding from the same data gives the same baseline whatever the row order.
 *
 * <p>Categorical columns: the {@code topCategories} most frequent categories (ties broken by name) with their
 * exact fractions, plus one last fraction for all other categories.
 */
public final class BaselineBuilder {
    public static final int DEFAULT_BINS = 10;
    public static final int DEFAULT_SAMPLE = 2000;
    public static final int DEFAULT_TOP_CATEGORIES = 50;
    /** Sample size that keeps every value (compare runs KS on all reference values). */
    public static final int ALL_VALUES = Integer.MAX_VALUE;
    /** Largest column the builder sorts in memory for exact edges and fractions. */
    public static final long MAX_EXACT_VALUES = 50_000_000L;
    /** t-digest compression for columns above the exact limit. */
    public static final int DIGEST_COMPRESSION = 1000;

    private static final String VERSION_RESOURCE = "/driftwatch-version.properties";

    private final String model;
    private final String version;
    private final int bins;
    private final int sampleSize;
    private final int topCategories;
    private final BaselineLineage lineage;
    private final long exactLimit;

    public BaselineBuilder(String model, String version, int bins, int sampleSize, int topCategories,
                           BaselineLineage lineage) {
        this(model, version, bins, sampleSize, topCategories, lineage, MAX_EXACT_VALUES);
    }

    /** As above, with the column size above which edges come from a t-digest instead of a sort. */
    public BaselineBuilder(String model, String version, int bins, int sampleSize, int topCategories,
                           BaselineLineage lineage, long exactLimit) {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("model name must not be empty");
        if (version == null || version.isBlank()) throw new IllegalArgumentException("model version must not be empty");
        if (bins < 1) throw new IllegalArgumentException("bins must be at least 1, got " + bins);
        if (sampleSize < 1) throw new IllegalArgumentException("sample size must be at least 1, got " + sampleSize);
        if (topCategories < 1) throw new IllegalArgumentException("top categories must be at least 1, got " + topCategories);
        this.model = model;
        this.version = version;
        this.bins = bins;
        this.sampleSize = sampleSize;
        this.topCategories = topCategories;
        this.lineage = lineage;
        this.exactLimit = exactLimit;
    }

    /** Lineage of a table read from a file: its sha256, rows and path, built now by this code version. */
    public static BaselineLineage lineage(Table table, Instant createdAt) {
        return BaselineLineage.newBuilder()
                .setDatasetSha256(table.sha256())
                .setRows(table.rows())
                .setCreatedAt(createdAt)
                .setSource(table.source().toAbsolutePath().normalize().toString())
                .setCodeVersion(codeVersion())
                .build();
    }

    /** One baseline per column of the table, in the table's column order. */
    public List<FeatureBaseline> buildAll(Table table) {
        List<FeatureBaseline> out = new ArrayList<>();
        for (Column c : table.columns()) {
            out.add(build(table, c));
        }
        return out;
    }

    /** The baseline of one column of a table; the feature is named as the column. */
    public FeatureBaseline build(Table table, Column column) {
        if (column.count() == 0) {
            throw new InputException(table.source(), column.name(),
                    "has no values (all " + column.missing() + " cells are missing), so it has no baseline");
        }
        return column instanceof NumericColumn n ? numeric(n) : categorical((CategoricalColumn) column);
    }

    /** The baseline of a numeric column with at least one value. */
    public FeatureBaseline numeric(NumericColumn column) {
        if (column.count() > exactLimit) {
            return numericFromDigest(column);
        }
        double[] sorted = column.values().clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return numeric(column, QuantileBins.edges(sorted, n, bins), sorted, summary(sorted));
    }

    /** Exact counts of every value on the edges, and the seeded reference sample drawn from the values in order. */
    private FeatureBaseline numeric(NumericColumn column, double[] edges, double[] values, SummaryStats stats) {
        int n = values.length;
        long[] counts = new long[edges.length + 1];
        Reservoir reservoir = new Reservoir((int) Math.min(sampleSize, n), sampleSeed(model, version, column.name()));
        for (double v : values) {
            counts[QuantileBins.binIndex(edges, v)]++;
            reservoir.add(v);
        }
        double[] sample = reservoir.values();
        Arrays.sort(sample);
        return common(column)
                .setKind(FeatureKind.NUMERIC)
                .setBinEdges(boxed(edges))
                .setBinFractions(fractions(counts, n))
                .setReferenceSample(boxed(sample))
                .setKsSupport(KsSupport.SAMPLE)
                .setStats(stats)
                .build();
    }

    /** The baseline of a categorical column with at least one value. */
    public FeatureBaseline categorical(CategoricalColumn column) {
        Map<String, Long> byCategory = new HashMap<>();
        for (String v : column.values()) {
            byCategory.merge(v, 1L, Long::sum);
        }
        List<Map.Entry<String, Long>> ranked = new ArrayList<>(byCategory.entrySet());
        ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        int kept = Math.min(topCategories, ranked.size());
        List<String> categories = new ArrayList<>(kept);
        long[] counts = new long[kept + 1];
        long n = column.count();
        long inTop = 0;
        for (int i = 0; i < kept; i++) {
            categories.add(ranked.get(i).getKey());
            counts[i] = ranked.get(i).getValue();
            inTop += counts[i];
        }
        counts[kept] = n - inTop;
        return common(column)
                .setKind(FeatureKind.CATEGORICAL)
                .setCategories(categories)
                .setCategoryFractions(fractions(counts, n))
                .setKsSupport(KsSupport.UNAVAILABLE)
                .setStats(null)
                .build();
    }

    private FeatureBaseline.Builder common(Column column) {
        long total = column.count() + column.missing();
        return FeatureBaseline.newBuilder()
                .setModel(model)
                .setVersion(version)
                .setFeature(column.name())
                .setCount(column.count())
                .setMissingCount(column.missing())
                .setMissingFraction(total == 0 ? 0 : (double) column.missing() / total)
                .setLineage(lineage);
    }

    /** Mean, sample standard deviation (NaN for a single value), extremes and quantiles of sorted values. */
    /**
     * A numeric baseline of a column too large to sort: one pass feeds a t-digest, whose quantiles at k/bins are the
     * edges (duplicates collapsed); a second pass counts every value on them, so the fractions are exact for the
     * edges used, and PSI/KL stay exact comparisons against the training data. Only where the edges sit differs
     * from the sorted path (by the digest's rank error). The sample is drawn from the values in column order.
     */
    FeatureBaseline numericFromDigest(NumericColumn column) {
        double[] values = column.values();
        int n = values.length;
        MergingDigest digest = new MergingDigest(DIGEST_COMPRESSION);
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            digest.add(v);
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double[] raw = new double[bins - 1];
        for (int k = 1; k < bins; k++) {
            raw[k - 1] = Math.min(max, Math.max(min, digest.quantile((double) k / bins)));
        }
        double[] edges = Arrays.stream(raw).sorted().distinct().toArray();
        return numeric(column, edges, values, SummaryStats.newBuilder()
                .setMean(mean)
                .setStddev(n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN)
                .setMin(min)
                .setMax(max)
                .setP50(digest.quantile(0.5))
                .setP95(digest.quantile(0.95))
                .setP99(digest.quantile(0.99))
                .build());
    }

    private static SummaryStats summary(double[] sorted) {
        int n = sorted.length;
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : sorted) {
            squares += (v - mean) * (v - mean);
        }
        return SummaryStats.newBuilder()
                .setMean(mean)
                .setStddev(n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN)
                .setMin(sorted[0])
                .setMax(sorted[n - 1])
                .setP50(QuantileBins.quantile(sorted, n, 0.5))
                .setP95(QuantileBins.quantile(sorted, n, 0.95))
                .setP99(QuantileBins.quantile(sorted, n, 0.99))
                .build();
    }

    /**
     * Seed of a feature's reference sample: the first 8 bytes of sha256(model NUL version NUL feature), so a
     * rebuild of the same model version draws the same sample and different features draw independent ones.
     */
    public static long sampleSeed(String model, String version, String feature) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((model + '\u0000' + version + '\u0000' + feature).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The driftwatch version of this build (from a resource Maven filters), or "unknown" outside a Maven build. */
    public static String codeVersion() {
        try (InputStream in = BaselineBuilder.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.contains("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through: a missing version must not stop a baseline build
        }
        return "unknown";
    }

    private static List<Double> fractions(long[] counts, long n) {
        List<Double> out = new ArrayList<>(counts.length);
        for (long c : counts) {
            out.add((double) c / n);
        }
        return out;
    }

    private static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
