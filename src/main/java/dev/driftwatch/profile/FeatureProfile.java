package dev.driftwatch.profile;

import com.tdunning.math.stats.MergingDigest;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.stats.KolmogorovSmirnov;
import dev.driftwatch.stats.KsResult;
import dev.driftwatch.stats.QuantileBins;
import dev.driftwatch.stats.Reservoir;

import java.nio.ByteBuffer;

/**
 * The mergeable summary of one feature over some events, counted against one baseline: exact counts on the
 * baseline's bins (or categories), the missing count, a uniform sample for KS and a t-digest for live
 * quantiles. `compare`, `baseline build` and the streaming job all summarise values through this class,
 * and {@link DriftTests} judges it, so offline and streaming results cannot disagree.
 */
public final class FeatureProfile {
    /** Compression of the live-quantile t-digest: about 1% rank error at the tails, under 10 KB serialized. */
    public static final double DIGEST_COMPRESSION = 100;

    private final Baseline baseline;
    private final long[] cells;
    private long count;
    private long missing;
    private final Reservoir sample;
    private MergingDigest digest;
    private double[] sorted;
    // countBelow in the baseline's reference of each sorted value (null when sorted without one)
    private int[] sortedRanks;

    private FeatureProfile(Baseline baseline, long[] cells, Reservoir sample, MergingDigest digest) {
        this.baseline = baseline;
        this.cells = cells;
        this.sample = sample;
        this.digest = digest;
    }

    /** An empty profile on the baseline's cells; {@code sampleCapacity} values are kept for KS. */
    public static FeatureProfile empty(Baseline baseline, int sampleCapacity, long seed) {
        return empty(baseline, sampleCapacity, seed, true);
    }

    /**
     * An empty profile; without a t-digest ({@code liveDigest} false) its live quantiles come from the sample.
     * The pane stage counts every event without one: a t-digest add per value was a third of its time, and the
     * window's uniform sample of k = 1000 gives p99 to within about 0.3% in rank (one standard error), enough for
     * a dashboard. A profile without a digest ignores the digests of what it merges.
     */
    public static FeatureProfile empty(Baseline baseline, int sampleCapacity, long seed, boolean liveDigest) {
        boolean numeric = baseline.isNumeric();
        return new FeatureProfile(
                baseline,
                new long[baseline.cells()],
                numeric ? new Reservoir(sampleCapacity, seed) : null,
                numeric && liveDigest ? new MergingDigest(DIGEST_COMPRESSION) : null);
    }

    public Baseline baseline() {
        return baseline;
    }

    /** Whether the profile counts numbers (a numeric baseline), without a lookup in the baseline record. */
    public boolean isNumeric() {
        return sample != null;
    }

    /** Adds a numeric value; NaN and infinities count as missing. Uses the reservoir's own random keys. */
    public void add(double value) {
        if (!Double.isFinite(value)) {
            missing++;
            return;
        }
        countNumeric(value);
        sample.add(value);
    }

    /**
     * Adds a numeric value with an explicit sampling key in [0, 1): the streaming job derives it from the
     * event id, so the sample does not depend on the order in which partitions interleave.
     */
    public void add(double value, double sampleKey) {
        if (!Double.isFinite(value)) {
            missing++;
            return;
        }
        countNumeric(value);
        sample.offer(value, sampleKey);
    }

    private void countNumeric(double value) {
        sorted = null;
        // callers have counted NaN and infinities as missing already
        cells[QuantileBins.binIndexOfNumber(baseline.edges(), value)]++;
        if (digest != null) {
            digest.add(value);
        }
        count++;
    }

    /** Adds a categorical value. */
    public void addCategory(String category) {
        cells[baseline.categoryCell(category)]++;
        count++;
    }

    /** Counts a missing value (null, absent or not parseable). */
    public void addMissing() {
        missing++;
    }

    /**
     * Adds a raw value of either type: numbers to numeric profiles, strings to categorical ones. A string on a
     * numeric feature is counted as missing (and reported by the caller), a number on a categorical feature
     * is taken as its decimal text.
     */
    public boolean addValue(Object value, double sampleKey) {
        if (value == null) {
            missing++;
            return true;
        }
        if (baseline.isNumeric()) {
            if (value instanceof Number n) {
                add(n.doubleValue(), sampleKey);
                return true;
            }
            missing++;
            return false;
        }
        if (value instanceof Double d && !Double.isFinite(d)) {
            missing++;
            return true;
        }
        addCategory(value instanceof Double d ? formatCategory(d) : value.toString());
        return true;
    }

    /** Text of a number used as a category: integral values without a trailing ".0". */
    public static String formatCategory(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    /** Merges another profile on the same baseline into this one. */
    public void merge(FeatureProfile other) {
        mergeCounts(other.cells, other.count, other.missing);
        if (sample != null) {
            sample.merge(other.sample);
            if (digest != null && other.digest != null) {
                digest.add(other.digest);
            }
        }
    }

    /** Merges a pane's partial profile counted on the same baseline. */
    public void merge(PaneProfile pane) {
        requireSameBaseline(pane);
        mergeCounts(pane.cells, pane.count, pane.missing);
        if (sample != null && pane.sample != null) {
            sample.merge(pane.sample);
            if (digest != null && pane.digest != null) {
                digest.add(MergingDigest.fromBytes(ByteBuffer.wrap(pane.digest)));
            }
        }
    }

    /**
     * Adds a stored pane's counts, counted on this profile's baseline: its cells at {@code cells[from, from + n)}
     * (n, this baseline's number of cells), its count and its missing count; not its sample.
     */
    public void mergeCounts(long[] cells, int from, long count, long missing) {
        sorted = null;
        for (int i = 0; i < this.cells.length; i++) {
            this.cells[i] += cells[from + i];
        }
        this.count += count;
        this.missing += missing;
    }

    /** Merges a sample into this profile's (numeric profiles; no-op for categorical ones). */
    public void mergeSample(Reservoir other) {
        if (sample != null && other != null) {
            sorted = null;
            sample.merge(other);
        }
    }

    private void requireSameBaseline(PaneProfile pane) {
        requireCountedOn(baseline.fingerprint(), pane);
    }

    private static void requireCountedOn(String fingerprint, PaneProfile pane) {
        if (!fingerprint.equals(pane.baselineFingerprint)) {
            throw new IllegalArgumentException("pane " + pane + " was counted on " + pane.baselineFingerprint
                    + ", not on " + fingerprint);
        }
    }

    /**
     * Merges pane {@code from} into pane {@code into}, both counted on the same baseline (two tasks' parts of one
     * pane): counts added, samples merged keeping {@code into}'s capacity; t-digests are dropped (the pane stage
     * keeps none). {@code from} is left unchanged.
     */
    public static void mergeInto(PaneProfile into, PaneProfile from) {
        requireCountedOn(into.baselineFingerprint, from);
        for (int i = 0; i < into.cells.length; i++) {
            into.cells[i] += from.cells[i];
        }
        into.count += from.count;
        into.missing += from.missing;
        if (from.sample != null) {
            if (into.sample == null) {
                into.sample = from.sample.copy();
            } else {
                into.sample.merge(from.sample);
            }
        }
        into.digest = null;
    }

    private void mergeCounts(long[] otherCells, long otherCount, long otherMissing) {
        sorted = null;
        for (int i = 0; i < cells.length; i++) {
            cells[i] += otherCells[i];
        }
        count += otherCount;
        missing += otherMissing;
    }

    /** This profile as a pane record (copies the counts; the sample is shared, so drop this profile after). */
    public PaneProfile toPane(String model, String modelVersion, long paneStart, long paneEnd) {
        PaneProfile p = new PaneProfile();
        p.model = model;
        p.modelVersion = modelVersion;
        p.feature = baseline.feature();
        p.baselineVersion = baseline.version();
        p.baselineFingerprint = baseline.fingerprint();
        p.kind = baseline.kind();
        p.paneStart = paneStart;
        p.paneEnd = paneEnd;
        p.count = count;
        p.missing = missing;
        p.cells = cells.clone();
        if (sample != null) {
            sample.compact();
            p.sample = sample;
        }
        if (digest != null) {
            ByteBuffer buf = ByteBuffer.allocate(digest.smallByteSize());
            digest.asSmallBytes(buf);
            p.digest = buf.array();
        }
        return p;
    }

    public FeatureKind kind() {
        return baseline.kind();
    }

    public long count() {
        return count;
    }

    public long missing() {
        return missing;
    }

    public long total() {
        return count + missing;
    }

    public double missingFraction() {
        long total = total();
        return total == 0 ? 0 : (double) missing / total;
    }

    public long[] cells() {
        return cells;
    }

    public Reservoir sample() {
        return sample;
    }

    /**
     * The sample's values sorted ascending (a shared array: do not modify), for KS and the live quantiles of one
     * window: sorted once, not once per use (an add or a merge sorts again on the next call).
     */
    public double[] sortedSample() {
        if (sorted == null) {
            if (baseline.supportsKs()) {
                // placed by rank among the baseline's reference, which KS needs anyway: no comparison sort
                sorted = sample.values();
                sortedRanks = new int[sorted.length];
                baseline.reference().sortByRank(sorted, sorted.length, sortedRanks);
            } else {
                sorted = sample.sortedValues();
                sortedRanks = null;
            }
        }
        return sorted;
    }

    /**
     * Two-sample KS of the sample against the baseline's reference sample (numeric baselines that support it, a
     * sample holding values).
     *
     * @throws IllegalStateException if the baseline keeps no reference sample or the sample is empty
     */
    public KsResult ks() {
        if (sample == null || !baseline.supportsKs() || sample.size() == 0) {
            throw new IllegalStateException("no KS for " + baseline.feature() + ": no reference sample or no values");
        }
        double[] s = sortedSample();
        return KolmogorovSmirnov.testRanked(s, sortedRanks, s.length, baseline.reference());
    }

    /**
     * Live quantile (numeric profiles with values, else NaN): from the t-digest when it holds values, else from
     * the uniform sample (numpy's linear interpolation), as for windows merged from the pane stage's profiles.
     */
    public double quantile(double q) {
        if (count == 0 || sample == null) {
            return Double.NaN;
        }
        if (digest != null && digest.size() == count) {
            // the digest saw every value (not only some restored panes')
            return digest.quantile(q);
        }
        return sample.size() == 0 ? Double.NaN : QuantileBins.quantile(sortedSample(), sample.size(), q);
    }
}
