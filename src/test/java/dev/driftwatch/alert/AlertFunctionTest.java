package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.config.DriftConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertFunctionTest {
    static KeyedOneInputStreamOperatorTestHarness<String, FeatureDriftResult, DriftAlert> harness() throws Exception {
        AlertFunction fn = new AlertFunction(new AlertPolicy(DriftConfig.Correction.BONFERRONI, 2, 0.5), Duration.ofDays(7));
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                r -> r.getModel() + "/" + r.getModelVersion(), Types.STRING);
    }

    static void window(KeyedOneInputStreamOperatorTestHarness<String, FeatureDriftResult, DriftAlert> h, long end,
                       String... drifted) throws Exception {
        for (FeatureDriftResult r : AlertPolicyTest.window(end, 1e-12, drifted)) {
            h.processElement(r, end - 1);
        }
    }

    @Test
    void judgesAWindowOnlyWhenTheWatermarkSaysAllItsFeaturesHaveArrived() throws Exception {
        try (var h = harness()) {
            h.open();
            window(h, 60_000, "f1");
            window(h, 120_000, "f1");
            // both windows are pending, one timer each
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            h.processWatermark(60_000 - 2);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(60_000 - 1);
            assertThat(h.extractOutputValues()).as("one drifted window is not enough").isEmpty();
            h.processWatermark(120_000 - 1);
            List<DriftAlert> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(out.get(0).getWindowEnd().toEpochMilli()).isEqualTo(120_000);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void hysteresisSurvivesACheckpointAndRestore() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            window(h, 60_000, "f1");
            h.processWatermark(60_000 - 1);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            window(h, 120_000, "f1");
            h.processWatermark(120_000 - 1);
            assertThat(h.extractOutputValues()).as("the drifted window before the restore still counts")
                    .extracting(DriftAlert::getStatus).containsExactly(AlertStatus.FIRING);
        }
    }
}
