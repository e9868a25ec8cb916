package dev.driftwatch.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Bin conventions at their edges (values on an edge, discrete features) and PSI/KL smoothing of empty bins. */
class BinsAndDivergenceTest {

    @Test
    void aValueOnAnEdgeFallsInTheBinBelowIt() {
        double[] edges = {1.0, 2.0, 3.0};
        assertThat(QuantileBins.binIndex(edges, 0.5)).isZero();
        assertThat(QuantileBins.binIndex(edges, 1.0)).isZero();
        assertThat(QuantileBins.binIndex(edges, 1.5)).isEqualTo(1);
        assertThat(QuantileBins.binIndex(edges, 3.0)).isEqualTo(2);
        assertThat(QuantileBins.binIndex(edges, 3.0001)).isEqualTo(3);
        assertThat(QuantileBins.binIndex(edges, Double.NEGATIVE_INFINITY)).isZero();
        assertThat(QuantileBins.binIndex(edges, Double.POSITIVE_INFINITY)).isEqualTo(3);
        assertThatThrownBy(() -> QuantileBins.binIndex(edges, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDiscreteFeatureGetsFewerBins() {
        double[] sorted = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2};
        // numpy 1.24: numpy.unique(numpy.quantile(x, [k/10 for k in 1..9])) = [0, 0.4, 1, 1.1]
        double[] edges = QuantileBins.edges(sorted, sorted.length, 10);
        assertThat(edges).containsExactly(new double[] {0.0, 0.4, 1.0, 1.1}, within(1e-12));
    }

    @Test
    void quantileInterpolatesLinearly() {
        double[] sorted = {1, 2, 4, 8};
        assertThat(QuantileBins.quantile(sorted, 4, 0.0)).isEqualTo(1.0);
        assertThat(QuantileBins.quantile(sorted, 4, 0.5)).isEqualTo(3.0);
        assertThat(QuantileBins.quantile(sorted, 4, 0.9)).isCloseTo(6.8, within(1e-12));
        assertThat(QuantileBins.quantile(sorted, 4, 1.0)).isEqualTo(8.0);
    }

    @Test
    void anEmptyBinCountsAsOneInTenThousandWithoutRenormalising() {
        double[] current = {0.5, 0.5, 0.0};
        double[] baseline = {0.4, 0.4, 0.2};
        double expectedPsi = 2 * (0.1 * Math.log(0.5 / 0.4)) + (1e-4 - 0.2) * Math.log(1e-4 / 0.2);
        double expectedKl = 2 * (0.5 * Math.log(0.5 / 0.4)) + 1e-4 * Math.log(1e-4 / 0.2);
        assertThat(Divergence.psi(current, baseline)).isCloseTo(expectedPsi, within(1e-15));
        assertThat(Divergence.kl(current, baseline)).isCloseTo(expectedKl, within(1e-15));
        assertThat(Divergence.psi(baseline, baseline)).isZero();
    }

    @Test
    void fractionsOfNoCountsAreZero() {
        assertThat(Divergence.fractions(new long[] {0, 0})).containsExactly(0.0, 0.0);
        assertThat(Divergence.fractions(new long[] {1, 3})).containsExactly(0.25, 0.75);
    }

    @Test
    void binsOfDifferentLengthsAreRejected() {
        assertThatThrownBy(() -> Divergence.psi(new double[] {1.0}, new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baseline's bins");
    }

    @Test
    void missingRateDriftIsTheAbsoluteDifferenceOfMissingShares() {
        MissingRate.MissingRateResult drift = MissingRate.compare(12, 100, 0.05, MissingRate.DEFAULT_THRESHOLD);
        assertThat(drift.windowFraction()).isEqualTo(0.12);
        assertThat(drift.difference()).isCloseTo(0.07, within(1e-15));
        assertThat(drift.drifted()).isTrue();
        assertThat(MissingRate.compare(8, 100, 0.05, 0.05).drifted()).isFalse();
        assertThat(MissingRate.compare(0, 0, 0.3, 0.05).drifted()).isFalse();
        assertThatThrownBy(() -> MissingRate.compare(5, 3, 0.0, 0.05)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void binIndexIsTheNumberOfEdgesStrictlyBelowTheValueForFewAndManyEdges() {
        java.util.Random random = new java.util.Random(9);
        for (int trial = 0; trial < 2000; trial++) {
            double[] edges = new double[random.nextInt(70)];
            for (int i = 0; i < edges.length; i++) {
                edges[i] = random.nextInt(20) - 10; // duplicates, as discrete features give
            }
            java.util.Arrays.sort(edges);
            double v = random.nextInt(5) == 0 ? random.nextInt(24) - 12 : random.nextGaussian() * 8;
            if (random.nextInt(50) == 0) {
                v = random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            }
            final double x = v;
            long below = java.util.Arrays.stream(edges).filter(e -> e < x).count();
            assertThat(QuantileBins.binIndex(edges, v)).as("%s in %s", v, java.util.Arrays.toString(edges)).isEqualTo((int) below);
        }
    }
}
