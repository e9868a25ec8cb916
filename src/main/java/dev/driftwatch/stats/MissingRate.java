package dev.driftwatch.stats;

/**
 * Missing-rate drift: the window's share of missing (absent or null) values against the baseline's. Drift when
 * |window fraction - baseline fraction| >= threshold.
 */
public final class MissingRate {
    /** Default threshold on the absolute difference of missing fractions. */
    public static final double DEFAULT_THRESHOLD = 0.05;

    private MissingRate() {}

    /**
     * Compares {@code missing} out of {@code total} window values (missing ones included) with the baseline's
     * missing fraction. An empty window (total 0) has fraction 0 and is never drift.
     *
     * @throws IllegalArgumentException if counts are negative, missing > total, or a fraction or threshold is
     *     outside [0, 1]
     */
    public static MissingRateResult compare(long missing, long total, double baselineFraction, double threshold) {
        if (missing < 0 || total < 0 || missing > total) {
            throw new IllegalArgumentException("need 0 <= missing <= total, got missing " + missing + ", total " + total);
        }
        if (!(baselineFraction >= 0.0 && baselineFraction <= 1.0)) {
            throw new IllegalArgumentException("baseline missing fraction must be in [0, 1], got " + baselineFraction);
        }
        if (!(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("missing-rate threshold must be in [0, 1], got " + threshold);
        }
        if (total == 0) {
            return new MissingRateResult(0.0, baselineFraction, 0.0, false);
        }
        double windowFraction = (double) missing / total;
        double difference = Math.abs(windowFraction - baselineFraction);
        return new MissingRateResult(windowFraction, baselineFraction, difference, difference >= threshold);
    }

    /** Outcome of a missing-rate comparison; {@code difference} is the absolute difference of the fractions. */
    public record MissingRateResult(
            double windowFraction, double baselineFraction, double difference, boolean drifted) {}
}
