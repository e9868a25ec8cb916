package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.config.ScoringModelConfig.MissingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/** The scoring operator flushes its micro-batch at size, at max_delay, before barriers and watermarks. */
class ScoringOperatorTest {

    private static final String MLP = TestModels.MLP;
    private static final double[] EXPECTED = TestModels.outputs(MLP);

    private static ScoringModelConfig config(int batchSize, Duration maxDelay, MissingPolicy policy) {
        ScoringModelConfig c = TestModels.config(MLP);
        return new ScoringModelConfig(c.model(), c.path(), c.sha256(), c.role(), c.shadowVersion(), c.featureOrder(),
                c.inputName(), c.outputName(), c.outputColumn(), policy, c.provider(), batchSize, maxDelay,
                c.skewTolerance(), c.skewThreshold(), c.classifier());
    }

    private static void process(ScoringOperatorHarness h, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            h.harness.processElement(TestModels.event(MLP, i, EXPECTED[i], 1_000L + i), 5_000L + i);
        }
    }

    @Test
    void fullBatchIsScoredAtOnceWithTheInputTimestamps() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(4, Duration.ofSeconds(10), null), null)) {
            h.harness.open();
            process(h, 0, 3);
            assertThat(h.output()).isEmpty();
            process(h, 3, 4);
            List<StreamRecord<? extends ScoredEvent>> records = h.harness.extractOutputStreamRecords();
            assertThat(records).hasSize(4);
            for (int i = 0; i < 4; i++) {
                ScoredEvent scored = records.get(i).getValue();
                assertThat(records.get(i).getTimestamp()).isEqualTo(5_000L + i);
                assertThat(scored.getEventId()).isEqualTo(MLP + "-" + i);
                assertThat(scored.getEventTime()).isEqualTo(1_000L + i);
                assertThat(scored.getScore()).isCloseTo(EXPECTED[i], within(1e-5));
                assertThat(scored.getLoggedPrediction()).isEqualTo(EXPECTED[i]);
                assertThat(scored.isSkewed()).isFalse();
                assertThat(scored.getRole()).isEqualTo("REPLAY");
                assertThat(scored.getArtifact()).isEqualTo("replay");
            }
            assertThat(h.counter("scored")).isEqualTo(4);
        }
    }

    @Test
    void partialBatchIsScoredWhenMaxDelayPasses() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(256, Duration.ofMillis(20), null), null)) {
            h.harness.setProcessingTime(100);
            h.harness.open();
            process(h, 0, 3);
            h.harness.setProcessingTime(119);
            assertThat(h.output()).isEmpty();
            h.harness.setProcessingTime(120);
            assertThat(h.output()).extracting(ScoredEvent::getEventId).containsExactly(MLP + "-0", MLP + "-1", MLP + "-2");

            // The next batch starts its own max_delay clock.
            h.harness.setProcessingTime(200);
            process(h, 3, 5);
            h.harness.setProcessingTime(219);
            assertThat(h.output()).hasSize(3);
            h.harness.setProcessingTime(220);
            assertThat(h.output()).hasSize(5);
        }
    }

    @Test
    void batchFlushedBySizeDoesNotLetTheOldTimerFlushTheNextBatchEarly() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(2, Duration.ofMillis(20), null), null)) {
            h.harness.setProcessingTime(0);
            h.harness.open();
            process(h, 0, 2); // full at t=0, timer for t=20 stays registered
            h.harness.setProcessingTime(15);
            process(h, 2, 3); // a new batch at t=15 is due at t=35
            h.harness.setProcessingTime(20);
            assertThat(h.output()).hasSize(2);
            h.harness.setProcessingTime(35);
            assertThat(h.output()).hasSize(3);
        }
    }

    @Test
    void checkpointBarrierFlushesAndRestoredOperatorHasNothingPending() throws Exception {
        ScoringModelConfig config = config(64, Duration.ofSeconds(10), null);
        OperatorSubtaskState state;
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config, null)) {
            h.harness.open();
            process(h, 0, 5);
            assertThat(h.output()).isEmpty();
            h.harness.prepareSnapshotPreBarrier(1);
            assertThat(h.output()).hasSize(5);
            assertThat(h.operator.pendingRows()).isZero();
            state = h.harness.snapshot(1, 1);
        }
        try (ScoringOperatorHarness restored = new ScoringOperatorHarness(config, null)) {
            restored.harness.initializeState(state);
            restored.harness.open();
            assertThat(restored.operator.pendingRows()).isZero();
            assertThat(restored.output()).isEmpty();
            process(restored, 5, 7);
            restored.harness.prepareSnapshotPreBarrier(2);
            assertThat(restored.output()).extracting(ScoredEvent::getEventId)
                    .as("only the events after the checkpoint, each once").containsExactly(MLP + "-5", MLP + "-6");
        }
    }

    @Test
    void watermarkIsForwardedOnlyAfterTheScoresBeforeIt() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(64, Duration.ofSeconds(10), null), null)) {
            h.harness.open();
            process(h, 0, 2);
            h.harness.processWatermark(new Watermark(5_001L));
            List<Object> out = new ArrayList<>(h.harness.getOutput());
            assertThat(out).hasSize(3);
            assertThat(out.get(0)).isInstanceOf(StreamRecord.class);
            assertThat(out.get(1)).isInstanceOf(StreamRecord.class);
            assertThat(out.get(2)).isEqualTo(new Watermark(5_001L));
        }
    }

    @Test
    void endOfInputScoresThePendingRows() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(64, Duration.ofSeconds(10), null), null)) {
            h.harness.open();
            process(h, 0, 3);
            h.harness.endInput();
            h.operator.finish();
            assertThat(h.output()).hasSize(3);
        }
    }

    @Test
    void missingFeatureIsSkippedAndCountedUnderSkip() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(1, Duration.ofSeconds(10), MissingPolicy.SKIP),
                Map.of("f3", 0.0))) {
            h.harness.open();
            InferenceEvent missing = TestModels.event(MLP, 0, null, 1_000L);
            missing.getFeatures().put("f3", null);
            InferenceEvent nan = TestModels.event(MLP, 1, null, 1_000L);
            nan.getFeatures().put("f4", Double.NaN);
            InferenceEvent absent = TestModels.event(MLP, 2, null, 1_000L);
            absent.getFeatures().remove("f5");
            InferenceEvent text = TestModels.event(MLP, 3, null, 1_000L);
            text.getFeatures().put("f6", "blue");
            for (InferenceEvent e : List.of(missing, nan, absent, text)) {
                h.harness.processElement(e, 1_000L);
            }
            process(h, 4, 5);
            assertThat(h.output()).extracting(ScoredEvent::getEventId).containsExactly(MLP + "-4");
            assertThat(h.counter("skipped_missing_feature")).isEqualTo(3);
            assertThat(h.counter("skipped_invalid_feature")).isEqualTo(1);
            assertThat(h.counter("scored")).isEqualTo(1);
        }
    }

    @Test
    void missingFeatureIsImputedWithTheBaselineMeanUnderImputeMean() throws Exception {
        float[] row = TestModels.inputs(MLP)[0].clone();
        row[3] = 0.75f;
        float[] expected = new float[1];
        try (SharedOrtSessions.Lease lease = SharedOrtSessions.jvmWide().acquire(TestModels.config(MLP))) {
            new OrtBatchScorer(lease.session(), lease.signature()).score(row, 1, expected);
        }
        Map<String, Double> means = new HashMap<>(Map.of("f3", 0.75));
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(
                config(1, Duration.ofSeconds(10), MissingPolicy.IMPUTE_MEAN), means)) {
            h.harness.open();
            InferenceEvent missing = TestModels.event(MLP, 0, null, 1_000L);
            missing.getFeatures().put("f3", null);
            h.harness.processElement(missing, 1_000L);
            InferenceEvent noMean = TestModels.event(MLP, 1, null, 1_000L);
            noMean.getFeatures().put("f4", null);
            h.harness.processElement(noMean, 1_000L);

            assertThat(h.output()).singleElement().satisfies(s -> {
                assertThat(s.getScore()).isEqualTo(expected[0], within(1e-7));
                assertThat(s.getScore()).isNotCloseTo(EXPECTED[0], within(1e-6));
                assertThat(s.getLoggedPrediction()).isNull();
                assertThat(s.isSkewed()).as("nothing logged, nothing to be skewed against").isFalse();
            });
            assertThat(h.counter("imputed_missing_feature")).isEqualTo(1);
            assertThat(h.counter("skipped_missing_feature")).as("f4 has no baseline mean").isEqualTo(1);
        }
    }

    @Test
    void scoreFurtherThanTheToleranceFromTheLoggedPredictionIsSkewed() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(2, Duration.ofSeconds(10), null), null)) {
            h.harness.open();
            h.harness.processElement(TestModels.event(MLP, 0, EXPECTED[0] + 5e-5, 1L), 1L);
            h.harness.processElement(TestModels.event(MLP, 1, EXPECTED[1] + 5e-3, 2L), 2L);
            assertThat(h.output()).extracting(ScoredEvent::isSkewed).containsExactly(false, true);
        }
    }

    @Test
    void shadowScoresCarryTheCandidateVersionAndApplyNamesTheOperator() throws Exception {
        Map<String, Object> map = TestModels.configMap(MLP);
        map.put("role", "shadow");
        map.put("shadow-version", "v2-rc1");
        map.put("batch-size", 1);
        ScoringModelConfig shadow = ScoringModelConfig.fromMap(map);
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(shadow, null)) {
            h.harness.open();
            process(h, 0, 1);
            assertThat(h.output()).singleElement().satisfies(s -> {
                assertThat(s.getRole()).isEqualTo("SHADOW");
                assertThat(s.getArtifact()).isEqualTo("v2-rc1");
                assertThat(s.getModelVersion()).as("the production version that logged").isEqualTo("v1");
            });
        }
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
        org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator<ScoredEvent> scored = ScoringOperator.apply(
                env.fromData(TestModels.event(MLP, 0, null, 1L)), shadow, Map.of());
        assertThat(scored.getTransformation().getName()).isEqualTo("scoring handbook_mlp v2-rc1");
        assertThat(scored.getTransformation().getUid()).isEqualTo("scoring-handbook_mlp-v2-rc1");
    }

    @Test
    void eventsOfOtherModelsAreLeftToTheirOwnOperator() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(1, Duration.ofSeconds(10), null), null)) {
            h.harness.open();
            InferenceEvent other = TestModels.event(MLP, 0, null, 1L);
            other.setModelName("fraud");
            h.harness.processElement(other, 1L);
            assertThat(h.output()).isEmpty();
            assertThat(h.counter("scored")).isZero();
        }
    }

    @Test
    void providerMetricAndBatchHistogramsAreRegistered() throws Exception {
        try (ScoringOperatorHarness h = new ScoringOperatorHarness(config(2, Duration.ofSeconds(10), null), null)) {
            h.harness.open();
            process(h, 0, 4);
            ScoringOperatorHarness.Registered provider = h.metric("scoring_provider");
            assertThat(provider.variables()).containsEntry("<provider>", "CPU");
            assertThat(h.gaugeValue("scoring_provider")).isEqualTo(1);
            assertThat(h.gaugeValue("scoring_provider_name")).isEqualTo("CPU");
            org.apache.flink.metrics.Histogram sizes = (org.apache.flink.metrics.Histogram) h.metric("batch_size").metric();
            assertThat(sizes.getCount()).isEqualTo(2);
            assertThat(sizes.getStatistics().getMax()).isEqualTo(2);
            assertThat(((org.apache.flink.metrics.Histogram) h.metric("batch_latency_ms").metric()).getCount()).isEqualTo(2);
        }
    }
}
