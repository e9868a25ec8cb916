package dev.driftwatch.stats;

/** Corrections for running one test per feature of a model in the same window. */
public final class MultipleTesting {
    private MultipleTesting() {}

    /** Per-test alpha under Bonferroni: alpha / m (alpha when m <= 1). */
    public static double bonferroniAlpha(double alpha, int m) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Benjamini-Hochberg at false discovery rate q: which hypotheses are rejected. NaN p-values are never rejected. */
    public static boolean[] benjaminiHochberg(double[] pValues, double q) {
        throw new UnsupportedOperationException("TODO");
    }
}
