package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Skew rate, shadow agreement and the skew threshold over one window of scored events. */
class SkewWindowSummaryTest {
    /** scoring.models[].skew-threshold when the config leaves it out. */
    static final double DEFAULT_SKEW_THRESHOLD = 0.01;


    private static final String MLP = TestModels.MLP;

    /** ORT's replayed scores of the MLP's rows beside the given logged predictions. */
    private static SkewWindowSummary replayAgainst(double[] logged) throws Exception {
        float[][] inputs = TestModels.inputs(MLP);
        ScoringModelConfig config = TestModels.config(MLP);
        SkewWindowSummary summary = new SkewWindowSummary();
        try (SharedOrtSessions.Lease lease = new SharedOrtSessions().acquire(config)) {
            float[] rows = new float[inputs.length * inputs[0].length];
            for (int i = 0; i < inputs.length; i++) {
                System.arraycopy(inputs[i], 0, rows, i * inputs[i].length, inputs[i].length);
            }
            float[] scores = new float[inputs.length];
            new OrtBatchScorer(lease.session(), lease.signature()).score(rows, inputs.length, scores);
            for (int i = 0; i < inputs.length; i++) {
                summary.add(scores[i], logged[i], Math.abs(scores[i] - logged[i]) > config.skewTolerance());
            }
        }
        return summary;
    }

    @Test
    void loggedPredictionsOfTheTrueModelGiveNoSkew() throws Exception {
        SkewWindowSummary summary = replayAgainst(TestModels.outputs(MLP));
        assertThat(summary.count()).isEqualTo(64);
        assertThat(summary.skewRate()).isZero();
        assertThat(summary.crossesThreshold(DEFAULT_SKEW_THRESHOLD)).isFalse();
        assertThat(summary.meanAbsoluteDifference()).isLessThan(1e-5);
        assertThat(summary.labelAgreement()).isEqualTo(1.0);
    }

    @Test
    void servingThatForgotToStandardiseAFeatureIsSkewAboveOnePercent() throws Exception {
        SkewWindowSummary summary = replayAgainst(TestModels.doubles(MLP, "outputs_with_perturbed_f3"));
        assertThat(summary.skewRate()).isGreaterThan(0.01);
        assertThat(summary.crossesThreshold(DEFAULT_SKEW_THRESHOLD)).isTrue();
        assertThat(summary.meanAbsoluteDifference()).isGreaterThan(1e-4);
    }

    @Test
    void shadowAgreementIsMeanAbsoluteDifferenceAndLabelAgreementAtOneHalf() {
        SkewWindowSummary summary = new SkewWindowSummary()
                .add(0.9, 0.8, true) // both positive
                .add(0.4, 0.6, true) // labels differ
                .add(0.2, 0.2, false) // both negative
                .add(0.5, 0.49, true); // 0.5 is positive, 0.49 negative
        assertThat(summary.meanAbsoluteDifference()).isCloseTo((0.1 + 0.2 + 0.0 + 0.01) / 4, within(1e-12));
        assertThat(summary.labelAgreement()).isEqualTo(0.5);
        assertThat(summary.skewRate()).isEqualTo(0.75);
    }

    @Test
    void eventsWithoutALoggedPredictionAreCountedButNotCompared() {
        SkewWindowSummary summary = new SkewWindowSummary().add(0.3, null, false).add(0.3, 0.9, true);
        assertThat(summary.count()).isEqualTo(2);
        assertThat(summary.compared()).isEqualTo(1);
        assertThat(summary.skewRate()).isEqualTo(1.0);
        assertThat(new SkewWindowSummary().add(0.3, null, false).crossesThreshold(0.0)).isFalse();
    }

    @Test
    void thresholdIsStrictAndPanesMergeIntoTheWindow() {
        SkewWindowSummary pane1 = new SkewWindowSummary();
        SkewWindowSummary pane2 = new SkewWindowSummary();
        for (int i = 0; i < 100; i++) {
            (i < 50 ? pane1 : pane2).add(0.5, 0.5, i == 7);
        }
        SkewWindowSummary window = pane1.merge(pane2);
        assertThat(window.count()).isEqualTo(100);
        assertThat(window.skewRate()).isEqualTo(0.01);
        assertThat(window.crossesThreshold(0.01)).as("exactly 1% does not fire").isFalse();
        window.add(0.1, 0.9, true);
        assertThat(window.crossesThreshold(0.01)).isTrue();
    }

    @Test
    void summaryReadsScoredEvents() {
        ScoredEvent skewed = new ScoredEvent("m", "v1", "REPLAY", "replay", "e1", 1L, 0.2, 0.7, true);
        ScoredEvent fine = new ScoredEvent("m", "v1", "REPLAY", "replay", "e2", 2L, 0.7, 0.7, false);
        SkewWindowSummary summary = new SkewWindowSummary().add(skewed).add(fine);
        assertThat(summary.skewRate()).isEqualTo(0.5);
        assertThat(summary.meanAbsoluteDifference()).isCloseTo(0.25, within(1e-12));
    }
}
