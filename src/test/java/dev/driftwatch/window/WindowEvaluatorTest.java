package dev.driftwatch.window;

import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.testing.Baselines;
import org.apache.flink.api.common.typeinfo.Types;
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
        // state of a job that ran with another slide (README asks to start such a job fresh): panes are placed in a
        // window by their age, and one that is not a whole number of slides old must not take another's place
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
            // windows of 3 minutes ending at 1, 1.5, 2 and 3 minutes: the off-grid pane (start 0.5) is in each
            assertThat(out).extracting(r -> r.getWindowEnd().toEpochMilli()).containsExactly(SLIDE, 3 * SLIDE / 2, 2 * SLIDE, 3 * SLIDE);
            assertThat(out).extracting(FeatureDriftResult::getCount).containsExactly(80L, 120L, 120L, 160L);
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

    @Test
    void prunedPanesGiveEveryLaterWindowExactlyTheSampleOfTheFullPanes() {
        int k = 100;
        int panesPerWindow = 6;
        java.util.Random random = new java.util.Random(11);
        List<PaneProfile> stored = new ArrayList<>();
        List<PaneProfile> full = new ArrayList<>();
        long storedValues = 0;
        for (int index = 0; index < 80; index++) {
            // quiet, busy and empty panes, so a window's sample is sometimes dominated by one pane
            int n = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(50);
                case 2 -> 200 + random.nextInt(300);
                default -> 3000;
            };
            FeatureProfile p = FeatureProfile.empty(baseline, k, index);
            FeatureProfile copy = FeatureProfile.empty(baseline, k, index);
            for (int i = 0; i < n; i++) {
                double value = random.nextGaussian();
                double key = random.nextDouble();
                p.add(value, key);
                copy.add(value, key);
            }
            stored.add(p.toPane("m", "v1", index * SLIDE, (index + 1) * SLIDE));
            full.add(copy.toPane("m", "v1", index * SLIDE, (index + 1) * SLIDE));
            int from = Math.max(0, index - panesPerWindow + 1);
            FeatureProfile window = FeatureProfile.empty(baseline, k, 0);
            List<PaneProfile> newestFirst = new ArrayList<>(stored.subList(from, index + 1));
            java.util.Collections.reverse(newestFirst);
            WindowEvaluator.mergeNewestFirst(window, newestFirst, k);
            FeatureProfile expected = FeatureProfile.empty(baseline, k, 0);
            for (PaneProfile f : full.subList(from, index + 1)) {
                expected.merge(f);
            }
            assertThat(window.count()).isEqualTo(expected.count());
            assertThat(window.sample().sortedValues()).as("window ending with pane %d", index)
                    .containsExactly(expected.sample().sortedValues());
            storedValues = 0;
            for (PaneProfile s : stored.subList(from, index + 1)) {
                storedValues += s.sample.size();
            }
        }
        // the last window's six panes hold far fewer than six full samples
        assertThat(storedValues).isLessThan(3L * k);
    }

    @Test
    void panesOfEqualSizeKeepAboutKTimesTheHarmonicNumberOfTheWindow() {
        int k = 200;
        int panesPerWindow = 12;
        java.util.Random random = new java.util.Random(5);
        List<PaneProfile> stored = new ArrayList<>();
        long held = 0;
        for (int index = 0; index < 40; index++) {
            FeatureProfile p = FeatureProfile.empty(baseline, k, index);
            for (int i = 0; i < 5000; i++) {
                p.add(random.nextGaussian(), random.nextDouble());
            }
            stored.add(p.toPane("m", "v1", index * SLIDE, (index + 1) * SLIDE));
            int from = Math.max(0, index - panesPerWindow + 1);
            List<PaneProfile> newestFirst = new ArrayList<>(stored.subList(from, index + 1));
            java.util.Collections.reverse(newestFirst);
            WindowEvaluator.mergeNewestFirst(FeatureProfile.empty(baseline, k, 0), newestFirst, k);
            held = newestFirst.stream().mapToLong(s -> s.sample.size()).sum();
        }
        // H(12) = 3.10: about 620 values instead of 12 x 200 = 2400
        assertThat(held).isBetween(450L, 800L);
    }
}
