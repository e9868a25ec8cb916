package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.io.NumericColumn;
import dev.driftwatch.stats.QuantileBins;
import dev.driftwatch.testing.Baselines;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Columns above the exact limit get t-digest edges: close to the exact quantiles, with exact counts on them. */
class BaselineBuilderDigestTest {
    static double[] normal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return v;
    }

    @Test
    void aboveTheLimitEdgesComeFromTheDigestAndFractionsAreExactCountsOnThem() {
        double[] values = normal(200_000, 7);
        NumericColumn column = new NumericColumn("x", values, 3);
        FeatureBaseline digestBased = new BaselineBuilder("m", "v1", 10, 2000, 50, Baselines.lineage("s"), 1_000).numeric(column);
        FeatureBaseline exact = new BaselineBuilder("m", "v1", 10, 2000, 50, Baselines.lineage("s")).numeric(column);

        double[] sorted = values.clone();
        Arrays.sort(sorted);
        assertThat(exact.getBinEdges()).containsExactlyElementsOf(
                Arrays.stream(QuantileBins.edges(sorted, sorted.length, 10)).boxed().toList());
        assertThat(digestBased.getBinEdges()).hasSize(9);
        for (int k = 0; k < 9; k++) {
            // the digest's rank error at compression 1000 is far below 0.1% of the data
            double edge = digestBased.getBinEdges().get(k);
            long below = Arrays.stream(sorted).filter(v -> v <= edge).count();
            assertThat((double) below / sorted.length).isCloseTo((k + 1) / 10.0, within(0.001));
        }
        long[] counts = new long[10];
        double[] edges = digestBased.getBinEdges().stream().mapToDouble(Double::doubleValue).toArray();
        for (double v : values) {
            counts[QuantileBins.binIndex(edges, v)]++;
        }
        for (int i = 0; i < 10; i++) {
            assertThat(digestBased.getBinFractions().get(i)).isEqualTo((double) counts[i] / values.length);
        }
        assertThat(digestBased.getStats().getP50()).isCloseTo(exact.getStats().getP50(), within(0.01));
        assertThat(digestBased.getStats().getMean()).isCloseTo(exact.getStats().getMean(), within(1e-9));
        assertThat(digestBased.getReferenceSample()).hasSize(2000);
        assertThat(digestBased.getMissingCount()).isEqualTo(3);
    }
}
