package dev.driftwatch.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Pearson chi-square with small expected cells merged. Expected values are printed by
 * src/test/python/gen_stats_unit_values.py (scipy 1.10.1 stats.chisquare on the merged cells; the merge rule is
 * written there independently of the Java code).
 */
class ChiSquareTest {

    @Test
    void withoutSmallCellsItIsPlainPearson() {
        ChiSquareResult r = ChiSquare.goodnessOfFit(new long[] {120, 95, 60, 25}, new double[] {0.4, 0.3, 0.2, 0.1});
        assertThat(r.statistic()).isCloseTo(1.1111111111111112, within(1e-12));
        assertThat(r.pValue()).isCloseTo(0.7743925169714329, within(1e-12));
        assertThat(r.degreesOfFreedom()).isEqualTo(3);
    }

    @Test
    void twoSmallCellsArePooledIntoOne() {
        // expected 5 and 3 (n = 100): 3 < 5, so they merge into one cell of 8 (observed 6 + 4)
        ChiSquareResult r = ChiSquare.goodnessOfFit(
                new long[] {40, 30, 20, 6, 4}, new double[] {0.4, 0.3, 0.22, 0.05, 0.03});
        assertThat(r.statistic()).isCloseTo(0.6818181818181819, within(1e-12));
        assertThat(r.pValue()).isCloseTo(0.8774719338274097, within(1e-12));
        assertThat(r.degreesOfFreedom()).isEqualTo(3);
    }

    @Test
    void aPoolStillBelowFiveJoinsTheNextSmallestCell() {
        // expected 2 + 1 = 3 < 5, so the pool joins the 12 cell: cells 15, 35, 50
        ChiSquareResult r = ChiSquare.goodnessOfFit(
                new long[] {50, 30, 12, 5, 3}, new double[] {0.50, 0.35, 0.12, 0.02, 0.01});
        assertThat(r.statistic()).isCloseTo(2.380952380952381, within(1e-12));
        assertThat(r.pValue()).isCloseTo(0.30407643128483336, within(1e-12));
        assertThat(r.degreesOfFreedom()).isEqualTo(2);
    }

    @Test
    void aCategoryUnseenInTheBaselineIsMergedInsteadOfDividingByZero() {
        ChiSquareResult r = ChiSquare.goodnessOfFit(new long[] {68, 26, 4, 2}, new double[] {0.7, 0.25, 0.05, 0.0});
        assertThat(r.statistic()).isCloseTo(0.29714285714285715, within(1e-12));
        assertThat(r.pValue()).isCloseTo(0.8619384379403423, within(1e-12));
        assertThat(r.degreesOfFreedom()).isEqualTo(2);
    }

    @Test
    void manyRareCategoriesArePooledPairwiseSmallestFirst() {
        ChiSquareResult r = ChiSquare.goodnessOfFit(
                new long[] {300, 200, 100, 5, 3, 2, 2, 1, 0, 0},
                new double[] {0.48, 0.3, 0.2, 0.005, 0.004, 0.003, 0.003, 0.002, 0.002, 0.001});
        assertThat(r.statistic()).isCloseTo(7.2563975810305354, within(1e-10));
        assertThat(r.pValue()).isCloseTo(0.12294342014838139, within(1e-10));
        assertThat(r.degreesOfFreedom()).isEqualTo(4);
    }

    @Test
    void tooFewObservationsForTwoCellsIsNoEvidenceOfDrift() {
        ChiSquareResult empty = ChiSquare.goodnessOfFit(new long[] {0, 0, 0}, new double[] {0.5, 0.3, 0.2});
        assertThat(empty.degreesOfFreedom()).isZero();
        assertThat(empty.pValue()).isEqualTo(1.0);
        ChiSquareResult three = ChiSquare.goodnessOfFit(new long[] {3, 0, 0}, new double[] {0.5, 0.3, 0.2});
        assertThat(three.degreesOfFreedom()).isZero();
    }

    @Test
    void rejectsFractionsThatDoNotCoverEveryObservation() {
        assertThatThrownBy(() -> ChiSquare.goodnessOfFit(new long[] {10, 10}, new double[] {0.5, 0.3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other");
        assertThatThrownBy(() -> ChiSquare.goodnessOfFit(new long[] {10}, new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
