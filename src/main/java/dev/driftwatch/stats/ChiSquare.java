package dev.driftwatch.stats;

/** Pearson chi-square goodness of fit of observed category counts against baseline category fractions. */
public final class ChiSquare {
    private ChiSquare() {}

    /**
     * Observed counts of the window against expected = fractions * sum(observed). Cells with an expected
     * count below 5 are merged (see the Javadoc of the implementation for how).
     */
    public static ChiSquareResult goodnessOfFit(long[] observed, double[] expectedFractions) {
        throw new UnsupportedOperationException("TODO");
    }
}
