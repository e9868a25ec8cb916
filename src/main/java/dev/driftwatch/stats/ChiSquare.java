package dev.driftwatch.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.special.Gamma;

/** Pearson chi-square goodness of fit of observed category counts against baseline category fractions. */
public final class ChiSquare {
    /** Cells whose expected count is below this are merged, the usual rule of thumb for Pearson's test. */
    public static final double MIN_EXPECTED = 5.0;

    private ChiSquare() {}

    /**
     * Observed counts of the window against expected = fractions * sum(observed). Cells with an expected
     * count below 5 are merged.
     *
     * <p>Merging: while more than one cell is left and the smallest expected count is below {@link #MIN_EXPECTED},
     * the two cells with the smallest expected counts (ties: the lower original index first) are replaced by one
     * cell holding the sum of both their expected and their observed counts. So small cells pool together first,
     * and a pool that stays below 5 joins the next smallest cell. Cells with a baseline fraction of 0 therefore
     * never divide by zero while another cell is left. The statistic is sum (O - E)^2 / E over the merged cells,
     * dof = merged cells - 1, and the p-value is the chi-square survival function Q(dof/2, statistic/2) (commons-math3
     * regularized gamma complement, which keeps relative precision for tiny p-values).
     *
     * <p>When a single cell is left (no observations, or too few to fill two cells of 5) there is nothing to test:
     * the result is statistic 0, p-value 1, dof 0.
     *
     * @throws IllegalArgumentException if the lengths differ, a count is negative, a fraction is negative or NaN, or
     *     the fractions do not sum to 1 (within 1e-6)
     */
    public static ChiSquareResult goodnessOfFit(long[] observed, double[] expectedFractions) {
        if (observed.length != expectedFractions.length) {
            throw new IllegalArgumentException("observed has " + observed.length + " categories but the baseline has "
                    + expectedFractions.length);
        }
        if (observed.length == 0) {
            throw new IllegalArgumentException("no categories to test");
        }
        long total = 0;
        double fractionSum = 0.0;
        for (int k = 0; k < observed.length; k++) {
            if (observed[k] < 0) {
                throw new IllegalArgumentException("observed count of category " + k + " is negative: " + observed[k]);
            }
            if (!(expectedFractions[k] >= 0.0)) {
                throw new IllegalArgumentException("baseline fraction of category " + k + " is invalid: "
                        + expectedFractions[k]);
            }
            total += observed[k];
            fractionSum += expectedFractions[k];
        }
        if (Math.abs(fractionSum - 1.0) > 1e-6) {
            throw new IllegalArgumentException("baseline fractions sum to " + fractionSum
                    + ", not 1; include an 'other' category so every observation has a cell");
        }

        List<Cell> cells = new ArrayList<>(observed.length);
        for (int k = 0; k < observed.length; k++) {
            cells.add(new Cell(k, expectedFractions[k] * total, observed[k]));
        }
        Comparator<Cell> smallestFirst = Comparator.comparingDouble(Cell::expected).thenComparingInt(Cell::order);
        cells.sort(smallestFirst);
        while (cells.size() > 1 && cells.get(0).expected() < MIN_EXPECTED) {
            Cell a = cells.remove(0);
            Cell b = cells.remove(0);
            Cell merged = new Cell(Math.min(a.order(), b.order()), a.expected() + b.expected(), a.observed() + b.observed());
            int at = 0;
            while (at < cells.size() && smallestFirst.compare(cells.get(at), merged) < 0) {
                at++;
            }
            cells.add(at, merged);
        }
        int dof = cells.size() - 1;
        if (dof == 0) {
            return new ChiSquareResult(0.0, 1.0, 0);
        }
        double statistic = 0.0;
        for (Cell c : cells) {
            double diff = c.observed() - c.expected();
            statistic += diff * diff / c.expected();
        }
        return new ChiSquareResult(statistic, survival(statistic, dof), dof);
    }

    /** P(X >= statistic) for X ~ chi-square(dof), by the regularized upper incomplete gamma function. */
    public static double survival(double statistic, int dof) {
        if (dof < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, got " + dof);
        }
        if (statistic <= 0.0) {
            return 1.0;
        }
        return Gamma.regularizedGammaQ(dof / 2.0, statistic / 2.0);
    }

    private record Cell(int order, double expected, long observed) {}
}
