package dev.driftwatch.profile;

import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.stats.QuantileBins;
import dev.driftwatch.testing.Baselines;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Live quantiles of a window whose panes were counted without a t-digest (what the pane stage does): they come
 * from the window's uniform sample, so the dashboard's p50/p95/p99 stay filled in.
 */
class FeatureProfileQuantileTest {
    static final Baseline BASELINE = new Baseline(Baselines.numeric("m", "v1", "x", List.of(-1.0, 0.0, 1.0),
            List.of(0.25, 0.25, 0.25, 0.25), List.of(-1.5, -0.5, 0.5, 1.5)));

    @Test
    void windowMergedFromDigestFreePanesReportsTheQuantilesOfItsSample() {
        SplittableRandom r = new SplittableRandom(7);
        FeatureProfile window = FeatureProfile.empty(BASELINE, 1000, 0);
        double[] all = new double[600];
        for (int pane = 0; pane < 3; pane++) {
            FeatureProfile p = FeatureProfile.empty(BASELINE, 1000, pane + 1, false);
            for (int i = 0; i < 200; i++) {
                double v = r.nextDouble() * 10;
                all[pane * 200 + i] = v;
                p.add(v, r.nextDouble());
            }
            window.merge(p.toPane("m", "v1", pane * 60_000L, (pane + 1) * 60_000L));
        }
        Arrays.sort(all);
        // fewer values than k: the sample is every value, so the quantiles are exact (numpy linear)
        assertThat(window.quantile(0.5)).isCloseTo(QuantileBins.quantile(all, all.length, 0.5), within(1e-12));
        assertThat(window.quantile(0.99)).isCloseTo(QuantileBins.quantile(all, all.length, 0.99), within(1e-12));
    }

    @Test
    void p99OfALargeWindowFromItsSampleIsNearTheTrueQuantile() {
        SplittableRandom r = new SplittableRandom(11);
        FeatureProfile p = FeatureProfile.empty(BASELINE, 1000, 1, false);
        for (int i = 0; i < 200_000; i++) {
            p.add(r.nextDouble(), r.nextDouble());
        }
        // uniform(0,1): p99 = 0.99; a k = 1000 sample's standard error in rank is about 0.003
        assertThat(p.quantile(0.99)).isCloseTo(0.99, within(0.012));
        assertThat(p.quantile(0.5)).isCloseTo(0.5, within(0.06));
    }

    @Test
    void aProfileWithoutValuesHasNoQuantiles() {
        assertThat(FeatureProfile.empty(BASELINE, 1000, 1, false).quantile(0.5)).isNaN();
    }
}
