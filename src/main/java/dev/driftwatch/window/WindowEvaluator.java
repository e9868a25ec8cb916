package dev.driftwatch.window;

import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.profile.DriftTest;
import dev.driftwatch.profile.DriftTests;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.profile.TestOutcome;
import dev.driftwatch.stats.PaneSampleMerge;
import dev.driftwatch.stats.Reservoir;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 2, keyed by (model, version, feature): keeps the panes of the open sliding windows, and when the
 * watermark passes a pane's end merges the panes of the window ending there and runs the drift tests,
 * emitting one {@link FeatureDriftResult}. Panes no later window needs are dropped, so the state of a model
 * that stops sending expires one window after its last event.
 */
public class WindowEvaluator extends KeyedProcessFunction<String, PaneProfile, FeatureDriftResult> {
    private final BaselineSource baselineSource;
    private final DriftConfig.Window window;
    private final DriftConfig.Tests tests;
    private final int reservoirSize;

    private transient MapState<Long, PaneProfile> panes;
    private transient BaselineSource.Subscription baselines;
    private transient Map<String, FeatureGauges> gauges;
    private transient MetricGroup metrics;
    private transient Counter windowsEvaluated;
    private transient Counter windowsTooSmall;
    private transient Counter panesWithoutBaseline;

    public WindowEvaluator(BaselineSource baselineSource, DriftConfig.Window window, DriftConfig.Tests tests, int reservoirSize) {
        this.baselineSource = baselineSource;
        this.window = window;
        this.tests = tests;
        this.reservoirSize = reservoirSize;
    }

    @Override
    public void open(OpenContext openContext) {
        panes = getRuntimeContext().getMapState(new MapStateDescriptor<>("panes", Types.LONG, TypeInformation.of(PaneProfile.class)));
        baselines = baselineSource.subscribe();
        gauges = new HashMap<>();
        metrics = getRuntimeContext().getMetricGroup().addGroup("driftwatch");
        windowsEvaluated = metrics.counter("windows_evaluated");
        windowsTooSmall = metrics.counter("windows_too_small");
        panesWithoutBaseline = metrics.counter("panes_without_baseline");
    }

    @Override
    public void processElement(PaneProfile pane, Context ctx, Collector<FeatureDriftResult> out) throws Exception {
        Baseline counted = baselines.current().byFingerprint(pane.baselineFingerprint);
        if (counted != null) {
            // the baseline's own string: every window compares the fingerprints of all its panes, and equal
            // instances compare at once (a received pane brings its own copy)
            pane.baselineFingerprint = counted.fingerprint();
        }
        PaneProfile existing = panes.get(pane.paneStart);
        if (existing != null) {
            // the same pane from another stage-1 task: merge the partial profiles
            pane = mergePanes(existing, pane, counted);
        }
        panes.put(pane.paneStart, pane);
        ctx.timerService().registerEventTimeTimer(pane.paneEnd - 1);
        // if no later pane arrives, this one still has to be dropped once no window needs it
        ctx.timerService().registerEventTimeTimer(pane.paneStart + window.size().toMillis() - 1);
    }

    private PaneProfile mergePanes(PaneProfile a, PaneProfile b, Baseline baseline) {
        if (baseline == null) {
            panesWithoutBaseline.inc();
            return a;
        }
        if (!a.baselineFingerprint.equals(b.baselineFingerprint)) {
            // counted on different baselines (a baseline changed mid-pane): keep the newer one's counts
            return b;
        }
        // into the stored pane, in place (the state backend copies a value a running snapshot still reads)
        FeatureProfile.mergeInto(a, b);
        return a;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureDriftResult> out) throws Exception {
        long windowEnd = timestamp + 1;
        long slide = window.slide().toMillis();
        long windowStart = windowEnd - window.size().toMillis();
        // one pass over the stored panes: the window's, and those no later window needs (windows ending later
        // start at windowStart + slide or after); a pass per question read every pane's state twice. Panes start at
        // multiples of the slide (the pane stage cuts them so), so a pane's age places it, newest first, with no
        // sort that would read every pane's record once more
        PaneProfile[] byAge = new PaneProfile[(int) (window.size().toMillis() / slide)];
        List<PaneProfile> misaligned = null;
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, PaneProfile> e : panes.entries()) {
            long start = e.getKey();
            if (start >= windowStart && start < windowEnd) {
                long age = windowEnd - slide - start;
                int at = (int) (age / slide);
                if (age >= 0 && age % slide == 0 && byAge[at] == null) {
                    byAge[at] = e.getValue();
                } else {
                    // only from state of a job that had another slide (README: start such a job fresh)
                    if (misaligned == null) {
                        misaligned = new ArrayList<>();
                    }
                    misaligned.add(e.getValue());
                }
            }
            if (start < windowStart + slide) {
                expired.add(start);
            }
        }
        PaneProfile last = byAge[0];
        List<PaneProfile> inWindow = new ArrayList<>(byAge.length);
        for (PaneProfile p : byAge) {
            if (p != null) {
                inWindow.add(p);
            }
        }
        if (misaligned != null) {
            inWindow.addAll(misaligned);
            inWindow.sort(Comparator.comparingLong((PaneProfile p) -> p.paneStart).reversed());
        }
        if (last != null) {
            evaluate(last, inWindow, windowStart, windowEnd, out);
        }
        for (Long start : expired) {
            panes.remove(start);
        }
    }

    private void evaluate(PaneProfile last, List<PaneProfile> newestFirst, long windowStart, long windowEnd,
                          Collector<FeatureDriftResult> out) throws Exception {
        Baseline baseline = baselines.current().byFingerprint(last.baselineFingerprint);
        if (baseline == null) {
            panesWithoutBaseline.inc();
            return;
        }
        touch(newestFirst);
        // panes carry no t-digest: the window's live quantiles come from its sample
        FeatureProfile profile = FeatureProfile.empty(baseline, reservoirSize, 0, false);
        for (PaneProfile pruned : mergeNewestFirst(profile, newestFirst, reservoirSize)) {
            panes.put(pruned.paneStart, pruned);
        }
        if (profile.total() < window.minEvents()) {
            windowsTooSmall.inc();
            return;
        }
        List<TestOutcome> outcomes = DriftTests.evaluate(profile, tests.forFeature(last.feature));
        List<TestResult> results = new ArrayList<>(outcomes.size());
        for (TestOutcome o : outcomes) {
            results.add(TestResult.newBuilder()
                    .setTest(o.test().name())
                    .setStatistic(o.statistic())
                    .setPValue(o.pValue())
                    .setThreshold(o.threshold())
                    .setDrifted(o.drifted())
                    .build());
        }
        boolean numeric = baseline.isNumeric() && profile.count() > 0;
        FeatureDriftResult result = FeatureDriftResult.newBuilder()
                .setModel(last.model)
                .setModelVersion(last.modelVersion)
                .setBaselineVersion(baseline.version())
                .setFeature(last.feature)
                .setKind(baseline.kind())
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setCount(profile.count())
                .setMissingCount(profile.missing())
                .setSampleSize(profile.sample() == null ? 0 : profile.sample().size())
                .setP50(numeric ? profile.quantile(0.5) : null)
                .setP95(numeric ? profile.quantile(0.95) : null)
                .setP99(numeric ? profile.quantile(0.99) : null)
                .setTests(results)
                .setLineage(baseline.lineage())
                .build();
        windowsEvaluated.inc();
        gaugesFor(last.model, last.feature).update(result, outcomes, profile);
        out.collect(result);
    }

    // read by nothing: keeps the JIT from dropping touch()'s reads (per instance: no write shared between tasks)
    private transient double touched;

    /**
     * Reads, in one tight loop, the cache line of each pane's record, bin counts and sample arrays that the window's
     * evaluation reads first (a sample's ends: a pane keeps and gives its smallest keys, at the end). Stored panes
     * are in memory, not in a cache (the pane stage streams Kafka's data through it between two slides); here the
     * CPU fetches them side by side, where the evaluation's passes would each wait for them one after another
     * (WindowStageBenchmark, cold: 82 -> 77 us per window at W = 60).
     */
    private void touch(List<PaneProfile> panes) {
        double sum = 0;
        for (int i = 0; i < panes.size(); i++) {
            PaneProfile p = panes.get(i);
            sum += p.cells != null && p.cells.length > 0 ? p.cells[0] : 0;
            Reservoir r = p.sample;
            if (r != null) {
                double[] keys = r.getKeys();
                double[] values = r.getValues();
                if (keys != null && keys.length > 0 && values != null && values.length > 0) {
                    sum += keys[0] + keys[keys.length - 1] + values[values.length - 1];
                }
            }
        }
        touched = sum;
    }

    /**
     * Merges the window's panes, newest first, into {@code window} (those counted on its baseline; the others are
     * only pruned) and drops from each pane's sample the values no later window can need (see
     * {@link PaneSampleMerge}: exact, a pane d slides old keeps about k / (d + 1) values); returns the panes whose
     * samples were cut or re-ordered, to be stored again. Panes of another baseline are pruned among themselves.
     */
    static List<PaneProfile> mergeNewestFirst(FeatureProfile window, List<PaneProfile> newestFirst, int reservoirSize) {
        Map<String, List<PaneProfile>> byBaseline = new LinkedHashMap<>();
        for (PaneProfile p : newestFirst) {
            byBaseline.computeIfAbsent(p.baselineFingerprint, f -> new ArrayList<>()).add(p);
        }
        String fingerprint = window.baseline().fingerprint();
        List<PaneProfile> changed = new ArrayList<>();
        for (Map.Entry<String, List<PaneProfile>> group : byBaseline.entrySet()) {
            List<PaneProfile> panes = new ArrayList<>();
            List<Reservoir> samples = new ArrayList<>();
            for (PaneProfile p : group.getValue()) {
                if (p.sample != null) {
                    panes.add(p);
                    samples.add(p.sample);
                }
            }
            boolean[] cut = new boolean[samples.size()];
            Reservoir merged = PaneSampleMerge.mergeNewestFirst(samples, reservoirSize, cut);
            for (int i = 0; i < cut.length; i++) {
                if (cut[i]) {
                    changed.add(panes.get(i));
                }
            }
            if (group.getKey().equals(fingerprint)) {
                for (PaneProfile p : group.getValue()) {
                    window.mergeCounts(p);
                }
                window.mergeSample(merged);
            }
        }
        return changed;
    }

    @Override
    public void close() throws Exception {
        if (baselines != null) {
            baselines.close();
            baselines = null;
        }
        super.close();
    }

    private FeatureGauges gaugesFor(String model, String feature) {
        return gauges.computeIfAbsent(model + '\u0000' + feature,
                k -> new FeatureGauges(metrics.addGroup("model", model).addGroup("feature", feature)));
    }

    /** The latest window's statistics of one feature, as gauges labelled by model and feature. */
    static final class FeatureGauges {
        volatile double ks = Double.NaN;
        volatile double ksP = Double.NaN;
        volatile double psi = Double.NaN;
        volatile double kl = Double.NaN;
        volatile double chi2P = Double.NaN;
        volatile double missingRate = Double.NaN;
        volatile double sampleSize = Double.NaN;
        volatile double count = Double.NaN;
        volatile double p50 = Double.NaN;
        volatile double p95 = Double.NaN;
        volatile double p99 = Double.NaN;

        FeatureGauges(MetricGroup g) {
            g.gauge("ks_statistic", (Gauge<Double>) () -> ks);
            g.gauge("ks_pvalue", (Gauge<Double>) () -> ksP);
            g.gauge("psi", (Gauge<Double>) () -> psi);
            g.gauge("kl", (Gauge<Double>) () -> kl);
            g.gauge("chi2_pvalue", (Gauge<Double>) () -> chi2P);
            g.gauge("missing_rate", (Gauge<Double>) () -> missingRate);
            g.gauge("window_sample_size", (Gauge<Double>) () -> sampleSize);
            g.gauge("window_count", (Gauge<Double>) () -> count);
            g.gauge("p50", (Gauge<Double>) () -> p50);
            g.gauge("p95", (Gauge<Double>) () -> p95);
            g.gauge("p99", (Gauge<Double>) () -> p99);
        }

        void update(FeatureDriftResult r, List<TestOutcome> outcomes, FeatureProfile profile) {
            for (TestOutcome o : outcomes) {
                if (o.test() == DriftTest.KS) {
                    ks = o.statistic();
                    ksP = o.pValue();
                } else if (o.test() == DriftTest.PSI) {
                    psi = o.statistic();
                } else if (o.test() == DriftTest.KL) {
                    kl = o.statistic();
                } else if (o.test() == DriftTest.CHI2) {
                    chi2P = o.pValue();
                }
            }
            missingRate = profile.missingFraction();
            sampleSize = r.getSampleSize();
            count = r.getCount();
            p50 = r.getP50() == null ? Double.NaN : r.getP50();
            p95 = r.getP95() == null ? Double.NaN : r.getP95();
            p99 = r.getP99() == null ? Double.NaN : r.getP99();
        }
    }
}
