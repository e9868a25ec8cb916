package dev.driftwatch.stats;

import java.util.Arrays;
import java.util.Comparator;

/** Corrections for running one test per feature of a model in the same window. */
public final class MultipleTesting {
    private MultipleTesting() {}

    /** Per-test alpha under Bonferroni: alpha / m (alpha when m <= 1). */
    public static double bonferroniAlpha(double alpha, int m) {
        checkLevel(alpha, "alpha");
        return m <= 1 ? alpha : alpha / m;
    }

    /**
     * Benjamini-Hochberg at false discovery rate q: which hypotheses are rejected. NaN p-values are never rejected.
     *
     * <p>m is the number of non-NaN p-values (the tests that ran); with p(1) <= ... <= p(m) sorted, k is the largest
     * rank with p(k) <= k q / m, and every p-value <= p(k) is rejected (tied p-values share one fate).
     *
     * @throws IllegalArgumentException if q is outside (0, 1] or a p-value is outside [0, 1]
     */
    public static boolean[] benjaminiHochberg(double[] pValues, double q) {
        checkLevel(q, "q");
        boolean[] rejected = new boolean[pValues.length];
        double[] adjusted = benjaminiHochbergAdjusted(pValues);
        for (int i = 0; i < pValues.length; i++) {
            rejected[i] = !Double.isNaN(adjusted[i]) && adjusted[i] <= q;
        }
        return rejected;
    }

    /**
     * BH-adjusted p-values (q-values): min over ranks r >= rank(i) of min(1, p(r) m / r); NaN stays NaN. p-value i is
     * rejected at level q exactly when its adjusted value is <= q. m as in {@link #benjaminiHochberg}.
     */
    public static double[] benjaminiHochbergAdjusted(double[] pValues) {
        int m = 0;
        for (double p : pValues) {
            if (Double.isNaN(p)) {
                continue;
            }
            if (p < 0.0 || p > 1.0) {
                throw new IllegalArgumentException("p-values must be in [0, 1], got " + p);
            }
            m++;
        }
        double[] adjusted = new double[pValues.length];
        Arrays.fill(adjusted, Double.NaN);
        Integer[] order = new Integer[pValues.length];
        int filled = 0;
        for (int i = 0; i < pValues.length; i++) {
            if (!Double.isNaN(pValues[i])) {
                order[filled++] = i;
            }
        }
        Integer[] ranked = Arrays.copyOf(order, m);
        Arrays.sort(ranked, Comparator.comparingDouble(i -> pValues[i]));
        double running = 1.0;
        for (int r = m; r >= 1; r--) {
            int i = ranked[r - 1];
            running = Math.min(running, pValues[i] * m / r);
            adjusted[i] = running;
        }
        return adjusted;
    }

    private static void checkLevel(double level, String name) {
        if (!(level > 0.0 && level <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], got " + level);
        }
    }
}
