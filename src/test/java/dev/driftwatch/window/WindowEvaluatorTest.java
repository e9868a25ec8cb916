package dev.driftwatch.window;

import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.testing.Baselines;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WindowEvaluatorTest {
    static final long SLIDE = 60_000;

    @TempDir
    static Path dir;
    static BaselineSource source;
    static Baseline baseline;

    @BeforeAll
    static void baselines() {
        List<Double> sample = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sample.add(-1 + 2 * (i + 0.5) / 200);
        }
        BaselineStore.write(dir, List.of(Baselines.numeric("m", "v1", "x", List.of(0.0), List.of(0.5, 0.5), sample)));
        source = new BaselineSource(dir.toString(), true);
        baseline = source.current().forEvent("m", "v1").features()[0];
    }

    static KeyedOneInputStreamOperatorTestHarness<String, PaneProfile, FeatureDriftResult> harness() throws Exception {
        DriftConfig config = DriftConfig.fromMap(Map.of("window", Map.of("size", "3m", "slide", "1m", "min-events", 10)));
        WindowEvaluator fn = new WindowEvaluator(source, config.window(), config.tests(), 100);
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), PaneProfile::featureKey, Types.STRING);
    }

    /** A pane of n values spread uniformly over [lo, hi). */
    static PaneProfile pane(long index, int n, double lo, double hi) {
        FeatureProfile p = FeatureProfile.empty(baseline, 100, index);
        for (int i = 0; i < n; i++) {
            p.add(lo + (hi - lo) * (i + 0.5) / n, ((i * 7919L + index * 104729L) % 10007) / 10007.0);
        }
        return p.toPane("m", "v1", index * SLIDE, (index + 1) * SLIDE);
    }

    @Test
    void evaluatesEachSlidingWindowOverItsPanesWhenTheWatermarkPassesItsEnd() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 4; i++) {
                PaneProfile p = pane(i, 40, -1, 1);
                h.processElement(p, p.paneEnd - 1);
            }
            h.processWatermark(2 * SLIDE - 2);
            assertThat(h.extractOutputValues()).extracting(r -> r.getWindowEnd().toEpochMilli()).containsExactly(SLIDE);
            h.processWatermark(4 * SLIDE - 1);
            List<FeatureDriftResult> out = h.extractOutputValues();
            // windows ending at 1, 2, 3 and 4 minutes: 1, 2, 3 and 3 panes of 40 events
            assertThat(out).extracting(r -> r.getWindowEnd().toEpochMilli()).containsExactly(SLIDE, 2 * SLIDE, 3 * SLIDE, 4 * SLIDE);
            assertThat(out).extracting(FeatureDriftResult::getCount).containsExactly(40L, 80L, 120L, 120L);
            assertThat(out.get(3).getWindowStart().toEpochMilli()).isEqualTo(SLIDE);
            assertThat(out.get(3).getSampleSize()).isEqualTo(100);
            assertThat(out.get(3).getTests()).extracting(t -> t.getTest()).containsExactly("KS", "PSI", "KL", "MISSING_RATE");
            assertThat(out.get(3).getTests()).noneMatch(t -> t.getDrifted());
            assertThat(out.get(3).getLineage().getDatasetSha256()).isEqualTo("sha-v1");
        }
    }

    @Test
    void aPaneOffTheSlidesGridStillCountsInEveryWindowItFallsIn() throws Exception {
        // state of a job that ran with another slide (README asks to start such a job fresh): a pane that is not a
        // whole number of slides old must not take another's place
        try (var h = harness()) {
            h.open();
            PaneProfile offGrid = pane(0, 40, -1, 1);
            offGrid.paneStart = SLIDE / 2;
            offGrid.paneEnd = SLIDE / 2 + SLIDE;
            for (PaneProfile p : List.of(pane(0, 40, -1, 1), offGrid, pane(1, 40, -1, 1), pane(2, 40, -1, 1))) {
                h.processElement(p, p.paneEnd - 1);
            }
            h.processWatermark(3 * SLIDE - 1);
            List<FeatureDriftResult> out = h.extractOutputValues();
            // windows of 3 minutes ending at 1, 1.5, 2 and 3 minutes: the off-grid pane (0.5 to 1.5) in each from
            // the one that ends with it
            assertThat(out).extracting(r -> r.getWindowEnd().toEpochMilli()).containsExactly(SLIDE, 3 * SLIDE / 2, 2 * SLIDE, 3 * SLIDE);
            assertThat(out).extracting(FeatureDriftResult::getCount).containsExactly(40L, 80L, 120L, 160L);
        }
    }

    @Test
    void aShiftedPaneDriftsTheWindowsThatContainIt() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 6; i++) {
                PaneProfile p = i == 3 ? pane(i, 300, 0.5, 1.5) : pane(i, 60, -1, 1);
                h.processElement(p, p.paneEnd - 1);
            }
            h.processWatermark(Long.MAX_VALUE);
            List<FeatureDriftResult> out = h.extractOutputValues();
            assertThat(out).hasSize(6);
            for (FeatureDriftResult r : out) {
                long end = r.getWindowEnd().toEpochMilli() / SLIDE;
                boolean containsShift = end >= 4 && end <= 6;
                boolean psiDrifted = r.getTests().stream().anyMatch(t -> t.getTest().equals("PSI") && t.getDrifted());
                assertThat(psiDrifted).as("window ending at minute " + end).isEqualTo(containsShift);
            }
        }
    }

    @Test
    void aRestoredWindowStageGivesTheSameWindowsAsOneThatRanThrough() throws Exception {
        List<FeatureDriftResult> through = new ArrayList<>();
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 8; i++) {
                feed(h, i);
            }
            through.addAll(h.extractOutputValues());
        }
        List<FeatureDriftResult> restored = new ArrayList<>();
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 4; i++) {
                feed(h, i);
            }
            restored.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1, 4 * SLIDE);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            for (int i = 4; i < 8; i++) {
                feed(h, i);
            }
            restored.addAll(h.extractOutputValues());
        }
        assertThat(restored).hasSize(8);
        assertThat(restored).extracting(r -> r.getWindowEnd().toEpochMilli())
                .containsExactlyElementsOf(through.stream().map(r -> r.getWindowEnd().toEpochMilli()).toList());
        assertThat(restored).extracting(FeatureDriftResult::getCount)
                .containsExactlyElementsOf(through.stream().map(FeatureDriftResult::getCount).toList());
        assertThat(restored).extracting(r -> r.getTests().get(0).getStatistic())
                .containsExactlyElementsOf(through.stream().map(r -> r.getTests().get(0).getStatistic()).toList());
    }

    // pane i (more events each minute), then the watermark that ends its window
    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, PaneProfile, FeatureDriftResult> h, int i)
            throws Exception {
        PaneProfile p = pane(i, 30 + 20 * i, -1, 1);
        h.processElement(p, p.paneEnd - 1);
        h.processWatermark(p.paneEnd - 1);
    }

    @Test
    void aPartOfAPaneFromAReaderThatWasIdleCountsInTheWindowsAfterIt() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 3; i++) {
                PaneProfile p = pane(i, 40, -1, 1);
                h.processElement(p, p.paneEnd - 1);
            }
            h.processWatermark(3 * SLIDE - 1);
            // an idle reader is back with its part of pane 1, after that pane's window
            PaneProfile late = pane(1, 20, -1, 1);
            h.processElement(late, late.paneEnd - 1);
            PaneProfile p3 = pane(3, 40, -1, 1);
            h.processElement(p3, p3.paneEnd - 1);
            h.processWatermark(4 * SLIDE - 1);
            List<FeatureDriftResult> out = h.extractOutputValues();
            FeatureDriftResult last = out.get(out.size() - 1);
            assertThat(last.getWindowEnd().toEpochMilli()).isEqualTo(4 * SLIDE);
            // panes 1, 2 and 3 of 40 events, and the late 20 of pane 1
            assertThat(last.getCount()).isEqualTo(140L);
        }
    }

    @Test
    void panesThatAJobBeforeTheStoredPanesLayoutKeptInItsMapCountInTheFirstWindowAfterARestore() throws Exception {
        // earlier versions kept every stored pane in the "panes" map state, which this version keeps only for panes
        // that have not reached their window yet: a key's first window folds every pane that is due
        KeyedProcessOperator<String, PaneProfile, FeatureDriftResult> operator;
        try (var h = harness()) {
            h.open();
            operator = (KeyedProcessOperator<String, PaneProfile, FeatureDriftResult>) h.getOperator();
            PaneProfile p3 = pane(3, 40, -1, 1);
            operator.setCurrentKey(p3.featureKey());
            MapState<Long, PaneProfile> map = operator.getKeyedStateBackend().getPartitionedState(VoidNamespace.INSTANCE,
                    VoidNamespaceSerializer.INSTANCE,
                    new MapStateDescriptor<>("panes", Types.LONG, TypeInformation.of(PaneProfile.class)));
            for (int i = 0; i < 3; i++) {
                PaneProfile p = pane(i, 40, -1, 1);
                map.put(p.paneStart, p);
            }
            h.processElement(p3, p3.paneEnd - 1);
            h.processWatermark(4 * SLIDE - 1);
            List<FeatureDriftResult> out = h.extractOutputValues();
            // the window [1m, 4m): panes 1, 2 and 3
            assertThat(out).extracting(r -> r.getWindowEnd().toEpochMilli()).containsExactly(4 * SLIDE);
            assertThat(out).extracting(FeatureDriftResult::getCount).containsExactly(120L);
        }
    }

    @Test
    void stateOfAModelThatStopsSendingIsDroppedOnceNoWindowNeedsIt() throws Exception {
        try (var h = harness()) {
            h.open();
            PaneProfile p = pane(0, 40, -1, 1);
            h.processElement(p, p.paneEnd - 1);
            h.processWatermark(SLIDE);
            assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
            h.processWatermark(10 * SLIDE);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void windowsWithTooFewEventsAreNotTested() throws Exception {
        try (var h = harness()) {
            h.open();
            PaneProfile p = pane(0, 5, -1, 1);
            h.processElement(p, p.paneEnd - 1);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }
}
