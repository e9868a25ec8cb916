package dev.driftwatch.stats;

/**
 * PSI and KL divergence between binned distributions, P the current (window) fractions and B the baseline
 * fractions over the same bins. An empty bin's fraction becomes {@link #EMPTY_BIN_FRACTION} (no
 * renormalisation), on either side.
 */
public final class Divergence {
    public static final double EMPTY_BIN_FRACTION = 1e-4;

    private Divergence() {}

    /**
     * PSI = sum_k (P_k - B_k) ln(P_k / B_k).
     *
     * @throws IllegalArgumentException if the arrays differ in length or hold a negative or NaN fraction
     */
    public static double psi(double[] current, double[] baseline) {
        check(current, baseline);
        double sum = 0.0;
        for (int k = 0; k < current.length; k++) {
            double p = smoothed(current[k]);
            double b = smoothed(baseline[k]);
            sum += (p - b) * Math.log(p / b);
        }
        return sum;
    }

    /**
     * KL = D_KL(P || B) = sum_k P_k ln(P_k / B_k).
     *
     * @throws IllegalArgumentException if the arrays differ in length or hold a negative or NaN fraction
     */
    public static double kl(double[] current, double[] baseline) {
        check(current, baseline);
        double sum = 0.0;
        for (int k = 0; k < current.length; k++) {
            double p = smoothed(current[k]);
            double b = smoothed(baseline[k]);
            sum += p * Math.log(p / b);
        }
        return sum;
    }

    /** counts / total, 0 where total is 0. */
    public static double[] fractions(long[] counts) {
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("counts must not be negative, got " + c);
            }
            total += c;
        }
        double[] fractions = new double[counts.length];
        if (total == 0) {
            return fractions;
        }
        for (int k = 0; k < counts.length; k++) {
            fractions[k] = (double) counts[k] / total;
        }
        return fractions;
    }

    private static double smoothed(double fraction) {
        return fraction == 0.0 ? EMPTY_BIN_FRACTION : fraction;
    }

    private static void check(double[] current, double[] baseline) {
        if (current.length != baseline.length) {
            throw new IllegalArgumentException("current has " + current.length + " bins but the baseline has "
                    + baseline.length + "; both must use the baseline's bins");
        }
        for (int k = 0; k < current.length; k++) {
            if (!(current[k] >= 0.0) || !(baseline[k] >= 0.0)) {
                throw new IllegalArgumentException("bin " + k + " has an invalid fraction (current "
                        + current[k] + ", baseline " + baseline[k] + ")");
            }
        }
    }
}
