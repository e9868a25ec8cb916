package dev.driftwatch.stats;

import java.util.Arrays;

/**
 * Quantile bins of a reference sample: inner edges at the k/B quantiles (numpy's linear interpolation),
 * duplicates collapsed; bin i holds (edge[i-1], edge[i]], the outer bins are open to -inf and +inf.
 */
public final class QuantileBins {
    private QuantileBins() {}

    /**
     * Inner edges for {@code bins} quantile bins of {@code sortedValues} (sorted ascending, no NaN): the
     * quantiles at k/bins for k = 1..bins-1, as numpy.unique(numpy.quantile(values, k/bins)). A discrete feature
     * gets fewer edges, hence fewer bins (edges.length + 1).
     *
     * @throws IllegalArgumentException if n < 1, bins < 1, or the values are not sorted or hold NaN
     */
    public static double[] edges(double[] sortedValues, int n, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be at least 1, got " + bins);
        }
        checkSorted(sortedValues, n);
        double[] edges = new double[bins - 1];
        for (int k = 1; k < bins; k++) {
            edges[k - 1] = interpolate(sortedValues, n, (double) k / bins);
        }
        // quantiles of sorted data at increasing q are non-decreasing, so unique = drop repeats
        int unique = 0;
        for (int i = 0; i < edges.length; i++) {
            if (unique == 0 || edges[i] != edges[unique - 1]) {
                edges[unique++] = edges[i];
            }
        }
        return Arrays.copyOf(edges, unique);
    }

    /**
     * Index of the bin holding v: numpy.searchsorted(edges, v, side='left'), the number of edges strictly below
     * v; 0..edges.length. NaN has no bin: callers count it as missing.
     *
     * @throws IllegalArgumentException if v is NaN
     */
    public static int binIndex(double[] edges, double v) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException("NaN has no bin; count it as a missing value");
        }
        return binIndexOfNumber(edges, v);
    }

    /** {@link #binIndex} for a value the caller has already found not to be NaN (the pane stage's hot path). */
    public static int binIndexOfNumber(double[] edges, double v) {
        if (edges.length <= 32) {
            // a few edges (10 bins by default): counting without branches beats a binary search's mispredictions
            int below = 0;
            for (double edge : edges) {
                below += edge < v ? 1 : 0;
            }
            return below;
        }
        return firstAtLeast(edges, 0, edges.length, v);
    }

    /** The first index in [from, to) of an ascending array whose value is >= x (to when none). */
    static int firstAtLeast(double[] sorted, int from, int to, double x) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Counts of values per bin over the given edges (length edges.length + 1); NaN values are skipped. */
    public static long[] counts(double[] edges, double[] values, int n) {
        long[] counts = new long[edges.length + 1];
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(values[i])) {
                counts[binIndex(edges, values[i])]++;
            }
        }
        return counts;
    }

    /**
     * numpy.quantile(values, q) with linear interpolation over a sorted array.
     *
     * @throws IllegalArgumentException if q is outside [0, 1], n < 1, or the values are not sorted or hold NaN
     */
    public static double quantile(double[] sortedValues, int n, double q) {
        if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        checkSorted(sortedValues, n);
        return interpolate(sortedValues, n, q);
    }

    // numpy 1.24 'linear': virtual index (n-1)*q, then _lerp, which interpolates from the nearer end
    private static double interpolate(double[] sorted, int n, double q) {
        double virtualIndex = (n - 1) * q;
        if (virtualIndex >= n - 1) {
            return sorted[n - 1];
        }
        if (virtualIndex < 0) {
            return sorted[0];
        }
        int previous = (int) Math.floor(virtualIndex);
        double gamma = virtualIndex - previous;
        double a = sorted[previous];
        double b = sorted[previous + 1];
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    private static void checkSorted(double[] values, int n) {
        if (n < 1 || n > values.length) {
            throw new IllegalArgumentException("need 1.." + values.length + " values, got n = " + n);
        }
        if (Double.isNaN(values[0])) {
            throw new IllegalArgumentException("values hold NaN; drop missing values first");
        }
        for (int i = 1; i < n; i++) {
            if (!(values[i - 1] <= values[i])) {
                throw new IllegalArgumentException(Double.isNaN(values[i])
                        ? "values hold NaN; drop missing values first"
                        : "values are not sorted ascending at index " + i);
            }
        }
    }
}
