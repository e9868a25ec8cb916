package dev.driftwatch.profile;

import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.stats.ChiSquare;
import dev.driftwatch.stats.ChiSquareResult;
import dev.driftwatch.stats.Divergence;
import dev.driftwatch.stats.KsResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the drift tests of one feature's profile against its baseline: KS (on the profile's sample against the
 * baseline's reference sample), PSI and KL (exact counts on the baseline's bins), chi-square (categoricals) and
 * the missing-rate change. Thresholds are the uncorrected ones; {@code AlertPolicy} applies the correction.
 */
public final class DriftTests {
    private DriftTests() {}

    public static List<TestOutcome> evaluate(FeatureProfile profile, DriftThresholds thresholds) {
        Baseline baseline = profile.baseline();
        List<TestOutcome> out = new ArrayList<>(4);
        if (profile.count() > 0) {
            double[] current = Divergence.fractions(profile.cells());
            if (baseline.isNumeric()) {
                if (baseline.supportsKs() && profile.sample() != null && profile.sample().size() > 0) {
                    KsResult ks = profile.ks();
                    out.add(new TestOutcome(DriftTest.KS, ks.statistic(), ks.pValue(), thresholds.alpha()));
                }
            } else {
                ChiSquareResult chi = ChiSquare.goodnessOfFit(profile.cells(), baseline.fractions());
                out.add(new TestOutcome(DriftTest.CHI2, chi.statistic(), chi.pValue(), thresholds.alpha()));
            }
            out.add(new TestOutcome(DriftTest.PSI, Divergence.psi(current, baseline.fractions()), null, thresholds.psi()));
            out.add(new TestOutcome(DriftTest.KL, Divergence.kl(current, baseline.fractions()), null, thresholds.kl()));
        }
        double missingChange = Math.abs(profile.missingFraction() - baseline.missingFraction());
        out.add(new TestOutcome(DriftTest.MISSING_RATE, missingChange, null, thresholds.missingRate()));
        return out;
    }
}
