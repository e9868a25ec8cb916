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
import dev.driftwatch.profile.StoredPanes;
import dev.driftwatch.profile.TestOutcome;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 2, keyed by (model, version, feature): keeps the panes of the open sliding windows, and when the
 * watermark passes a pane's end merges the panes of the window ending there and runs the drift tests,
 * emitting one {@link FeatureDriftResult}. Panes wait in a map as they arrive (the parts that several stage-1
 * tasks send of one pane merge there) and are folded into one {@link StoredPanes} value per key by the window
 * that ends with them. Panes no later window needs are dropped, so the state of a model that stops sending
 * expires one window after its last event.
 */
public class WindowEvaluator extends KeyedProcessFunction<String, PaneProfile, FeatureDriftResult> {
    private final BaselineSource baselineSource;
    private final DriftConfig.Window window;
    private final DriftConfig.Tests tests;
    private final int reservoirSize;

    // panes as they arrive (two tasks' parts of one merged), until the window that ends with them folds them in
    private transient MapState<Long, PaneProfile> panes;
    // the panes of the open windows, one value per key: a window reads and writes it once
    private transient ValueState<StoredPanes> stored;
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
        stored = getRuntimeContext().getState(new ValueStateDescriptor<>("stored-panes", TypeInformation.of(StoredPanes.class)));
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
            // the baseline's own string, so that fingerprints compare at once (a received pane brings its own copy)
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
        long newestStart = windowEnd - slide;
        StoredPanes kept = stored.value();
        if (kept == null) {
            // this key's first window, or its first since its panes expired, or since a restore from a savepoint
            // that kept every pane in the map: every pane that has arrived and is due
            kept = new StoredPanes();
            List<Long> folded = new ArrayList<>();
            for (Map.Entry<Long, PaneProfile> e : panes.entries()) {
                if (e.getKey() <= newestStart) {
                    kept.add(e.getValue());
                    folded.add(e.getKey());
                }
            }
            for (Long start : folded) {
                panes.remove(start);
            }
        } else {
            // the pane that ends with this window; later ones (from a reader that is ahead) wait for their own
            PaneProfile newest = panes.get(newestStart);
            if (newest != null) {
                kept.add(newest);
                panes.remove(newestStart);
            }
        }
        int last = kept.indexOf(newestStart);
        if (last >= 0) {
            evaluate(kept, last, windowStart, windowEnd, out);
        }
        // windows ending later start at windowStart + slide or after
        kept.dropBefore(windowStart + slide);
        if (kept.size() == 0) {
            stored.clear();
        } else {
            stored.update(kept);
        }
    }

    private void evaluate(StoredPanes kept, int last, long windowStart, long windowEnd,
                          Collector<FeatureDriftResult> out) throws Exception {
        Baseline baseline = baselines.current().byFingerprint(kept.baselineOf(last));
        if (baseline == null) {
            panesWithoutBaseline.inc();
            return;
        }
        // panes carry no t-digest: the window's live quantiles come from its sample
        FeatureProfile profile = FeatureProfile.empty(baseline, reservoirSize, 0, false);
        kept.mergeWindow(profile, windowStart, windowEnd, reservoirSize);
        if (profile.total() < window.minEvents()) {
            windowsTooSmall.inc();
            return;
        }
        List<TestOutcome> outcomes = DriftTests.evaluate(profile, tests.forFeature(kept.feature));
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
                .setModel(kept.model)
                .setModelVersion(kept.modelVersion)
                .setBaselineVersion(baseline.version())
                .setFeature(kept.feature)
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
        gaugesFor(kept.model, kept.feature).update(result, outcomes, profile);
        out.collect(result);
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
