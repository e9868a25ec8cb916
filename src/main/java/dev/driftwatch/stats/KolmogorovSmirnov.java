package dev.driftwatch.stats;

/**
 * Two-sample Kolmogorov-Smirnov test, with the p-value as scipy.stats.ks_2samp(method='auto') computes it:
 * the exact distribution when max(n, m) <= 10000 (ties included), the asymptotic one above.
 */
public final class KolmogorovSmirnov {
    /** Largest sample size for which the exact p-value is computed, as scipy's MAX_AUTO_N. */
    public static final int MAX_EXACT_N = 10_000;

    private KolmogorovSmirnov() {}

    /** Tests two unsorted samples; neither array is modified. */
    public static KsResult test(double[] a, double[] b) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Tests two samples already sorted ascending (saves the sort when one side, the baseline, is fixed). */
    public static KsResult testSorted(double[] sortedA, int na, double[] sortedB, int nb) {
        throw new UnsupportedOperationException("TODO");
    }
}
