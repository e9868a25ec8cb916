package dev.driftwatch.stats;

/**
 * Quantile bins of a reference sample: inner edges at the k/B quantiles (numpy's linear interpolation),
 * duplicates collapsed; bin i holds (edge[i-1], edge[i]], the outer bins are open to -inf and +inf.
 */
public final class QuantileBins {
    private QuantileBins() {}

    /** Inner edges for {@code bins} quantile bins of {@code sortedValues} (sorted ascending, no NaN). */
    public static double[] edges(double[] sortedValues, int n, int bins) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Index of the bin holding v: numpy.searchsorted(edges, v, side='left'); 0..edges.length. */
    public static int binIndex(double[] edges, double v) {
        throw new UnsupportedOperationException("TODO");
    }

    /** numpy.quantile(values, q) with linear interpolation over a sorted array. */
    public static double quantile(double[] sortedValues, int n, double q) {
        throw new UnsupportedOperationException("TODO");
    }
}
