package dev.driftwatch.stats;

/**
 * PSI and KL divergence between binned distributions, P the current (window) fractions and B the baseline
 * fractions over the same bins. An empty bin's fraction becomes {@link #EMPTY_BIN_FRACTION} (no
 * renormalisation), on either side.
 */
public final class Divergence {
    public static final double EMPTY_BIN_FRACTION = 1e-4;

    private Divergence() {}

    /** PSI = sum_k (P_k - B_k) ln(P_k / B_k). */
    public static double psi(double[] current, double[] baseline) {
        throw new UnsupportedOperationException("TODO");
    }

    /** KL = D_KL(P || B) = sum_k P_k ln(P_k / B_k). */
    public static double kl(double[] current, double[] baseline) {
        throw new UnsupportedOperationException("TODO");
    }

    /** counts / total, 0 where total is 0. */
    public static double[] fractions(long[] counts) {
        throw new UnsupportedOperationException("TODO");
    }
}
