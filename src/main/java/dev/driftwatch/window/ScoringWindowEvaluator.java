package dev.driftwatch.window;

import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.ModelBaselines;
import dev.driftwatch.baseline.SamplingKeys;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.profile.DriftTest;
import dev.driftwatch.profile.DriftTests;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.profile.TestOutcome;
import dev.driftwatch.scoring.ScoredEvent;
import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.scoring.SkewWindowSummary;
import dev.driftwatch.stats.QuantileBins;
import dev.driftwatch.stats.Reservoir;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
 * Keyed by (model, version, artifact): turns re-scored events into per-window results that join the alert path.
 * A replay artifact gives the skew rate (share of events whose replayed score differs from the logged prediction
 * by more than the tolerance) as a SKEW_RATE test; a shadow artifact's scores are tested like a prediction against
 * the model's prediction baseline, reported under the shadow's version, and its agreement with production becomes
 * metrics. Panes as in the drift path: each event counts into one pane, windows merge panes.
 */
public class ScoringWindowEvaluator extends KeyedProcessFunction<String, ScoredEvent, FeatureDriftResult> {
    /** Feature name under which a replay artifact's skew is reported. */
    public static final String SKEW_FEATURE = "__skew__";

    private final BaselineSource baselineSource;
    private final DriftConfig.Window window;
    private final DriftConfig.Tests tests;
    private final int reservoirSize;
    private final Map<String, ScoringModelConfig> artifacts;

    private transient BaselineSource.Subscription baselines;
    private transient MapState<Long, SkewWindowSummary> skewPanes;
    private transient MapState<Long, PaneProfile> shadowPanes;
    private transient MetricGroup metrics;
    private transient Map<String, ModelScoringGauges> gauges;

    public ScoringWindowEvaluator(BaselineSource baselineSource, DriftConfig.Window window, DriftConfig.Tests tests,
                                  int reservoirSize, List<ScoringModelConfig> artifacts) {
        this.baselineSource = baselineSource;
        this.window = window;
        this.tests = tests;
        this.reservoirSize = reservoirSize;
        this.artifacts = new HashMap<>();
        for (ScoringModelConfig a : artifacts) {
            this.artifacts.put(a.model() + '\u0000' + a.artifactLabel(), a);
        }
    }

    /** Key of a scored event: one artifact of one production model version. */
    public static String key(ScoredEvent e) {
        return e.getModel() + '\u0000' + e.getModelVersion() + '\u0000' + e.getArtifact();
    }

    @Override
    public void open(OpenContext openContext) {
        skewPanes = getRuntimeContext().getMapState(new MapStateDescriptor<>("skew-panes", Types.LONG,
                TypeInformation.of(SkewWindowSummary.class)));
        shadowPanes = getRuntimeContext().getMapState(new MapStateDescriptor<>("shadow-panes", Types.LONG,
                TypeInformation.of(PaneProfile.class)));
        metrics = getRuntimeContext().getMetricGroup().addGroup("driftwatch");
        gauges = new HashMap<>();
        baselines = baselineSource.subscribe();
    }

    @Override
    public void close() throws Exception {
        if (baselines != null) {
            baselines.close();
        }
        super.close();
    }

    @Override
    public void processElement(ScoredEvent e, Context ctx, Collector<FeatureDriftResult> out) throws Exception {
        long slide = window.slide().toMillis();
        long paneStart = Math.floorDiv(e.getEventTime(), slide) * slide;
        if (paneStart + slide - 1 <= ctx.timerService().currentWatermark()) {
            // its window was evaluated already; the drift path dead-letters the same event as LATE
            return;
        }
        SkewWindowSummary summary = skewPanes.get(paneStart);
        if (summary == null) {
            summary = new SkewWindowSummary();
        }
        skewPanes.put(paneStart, summary.add(e));
        if (ScoringModelConfig.Role.SHADOW.name().equals(e.getRole())) {
            Baseline prediction = predictionBaseline(e);
            if (prediction != null) {
                PaneProfile pane = shadowPanes.get(paneStart);
                if (pane == null) {
                    pane = FeatureProfile.empty(prediction, reservoirSize, 0)
                            .toPane(e.getModel(), e.getArtifact(), paneStart, paneStart + slide);
                    pane.digest = null;
                }
                countInto(pane, prediction, e);
                shadowPanes.put(paneStart, pane);
            }
        }
        ctx.timerService().registerEventTimeTimer(paneStart + slide - 1);
        ctx.timerService().registerEventTimeTimer(paneStart + window.size().toMillis() - 1);
    }

    private Baseline predictionBaseline(ScoredEvent e) {
        ModelBaselines mb = baselines.current().forEvent(e.getModel(), e.getModelVersion());
        return mb == null ? null : mb.prediction();
    }

    private static void countInto(PaneProfile pane, Baseline prediction, ScoredEvent e) {
        double v = e.getScore();
        if (!Double.isFinite(v)) {
            pane.missing++;
            return;
        }
        pane.cells[QuantileBins.binIndex(prediction.edges(), v)]++;
        pane.count++;
        Reservoir sample = pane.sample;
        sample.offer(v, SamplingKeys.key(SamplingKeys.eventHash(e.getEventId()), 0x5EED5AD0L));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureDriftResult> out) throws Exception {
        long windowEnd = timestamp + 1;
        long slide = window.slide().toMillis();
        long windowStart = windowEnd - window.size().toMillis();
        String[] key = ctx.getCurrentKey().split("\u0000", -1);
        ScoringModelConfig artifact = artifacts.get(key[0] + '\u0000' + key[2]);
        if (skewPanes.contains(windowEnd - slide) && artifact != null) {
            SkewWindowSummary w = new SkewWindowSummary();
            for (Map.Entry<Long, SkewWindowSummary> p : skewPanes.entries()) {
                if (p.getKey() >= windowStart && p.getKey() < windowEnd) {
                    w.merge(p.getValue());
                }
            }
            evaluate(key[0], key[1], artifact, w, windowStart, windowEnd, out);
        }
        prune(windowStart + slide);
    }

    private void evaluate(String model, String version, ScoringModelConfig artifact, SkewWindowSummary w,
                          long windowStart, long windowEnd, Collector<FeatureDriftResult> out) throws Exception {
        if (w.count() < window.minEvents()) {
            return;
        }
        ModelScoringGauges g = gaugesFor(model);
        if (artifact.role() == ScoringModelConfig.Role.REPLAY) {
            g.skewRate = w.skewRate();
            double rate = w.compared() == 0 ? 0 : w.skewRate();
            out.collect(FeatureDriftResult.newBuilder()
                    .setModel(model).setModelVersion(version).setBaselineVersion(version)
                    .setFeature(SKEW_FEATURE).setKind(FeatureKind.NUMERIC)
                    .setWindowStart(Instant.ofEpochMilli(windowStart)).setWindowEnd(Instant.ofEpochMilli(windowEnd))
                    .setCount(w.compared()).setMissingCount(w.count() - w.compared()).setSampleSize(0)
                    .setTests(List.of(TestResult.newBuilder().setTest(DriftTest.SKEW_RATE.name()).setStatistic(rate)
                            .setPValue(null).setThreshold(artifact.skewThreshold())
                            .setDrifted(w.crossesThreshold(artifact.skewThreshold())).build()))
                    .setLineage(null)
                    .build());
            return;
        }
        g.shadowAgreement = w.labelAgreement();
        g.shadowMeanAbsDifference = w.meanAbsoluteDifference();
        PaneProfile newest = shadowPanes.get(windowEnd - window.slide().toMillis());
        Baseline prediction = newest == null ? null : baselines.current().byFingerprint(newest.baselineFingerprint);
        if (prediction == null) {
            return;
        }
        FeatureProfile profile = FeatureProfile.empty(prediction, reservoirSize, 0);
        for (Map.Entry<Long, PaneProfile> p : shadowPanes.entries()) {
            if (p.getKey() >= windowStart && p.getKey() < windowEnd
                    && p.getValue().baselineFingerprint.equals(newest.baselineFingerprint)) {
                profile.merge(p.getValue());
            }
        }
        List<TestResult> results = new ArrayList<>();
        for (TestOutcome o : DriftTests.evaluate(profile, tests.forFeature(Baseline.PREDICTION_FEATURE))) {
            results.add(TestResult.newBuilder().setTest(o.test().name()).setStatistic(o.statistic())
                    .setPValue(o.pValue()).setThreshold(o.threshold()).setDrifted(o.drifted()).build());
        }
        // the candidate's predictions, reported under its own version so its alerts never mix with production's
        out.collect(FeatureDriftResult.newBuilder()
                .setModel(model).setModelVersion(artifact.artifactLabel()).setBaselineVersion(prediction.version())
                .setFeature(Baseline.PREDICTION_FEATURE).setKind(FeatureKind.NUMERIC)
                .setWindowStart(Instant.ofEpochMilli(windowStart)).setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setCount(profile.count()).setMissingCount(profile.missing())
                .setSampleSize(profile.sample().size())
                .setTests(results).setLineage(prediction.lineage())
                .build());
    }

    private void prune(long keepFrom) throws Exception {
        List<Long> old = new ArrayList<>();
        for (Long start : skewPanes.keys()) {
            if (start < keepFrom) {
                old.add(start);
            }
        }
        for (Long start : old) {
            skewPanes.remove(start);
            shadowPanes.remove(start);
        }
    }

    private ModelScoringGauges gaugesFor(String model) {
        return gauges.computeIfAbsent(model, m -> new ModelScoringGauges(metrics.addGroup("model", m)));
    }

    /** The latest window's skew rate (replay) and agreement with production (shadow) of a model. */
    static final class ModelScoringGauges {
        volatile double skewRate = Double.NaN;
        volatile double shadowAgreement = Double.NaN;
        volatile double shadowMeanAbsDifference = Double.NaN;

        ModelScoringGauges(MetricGroup g) {
            g.gauge("skew_rate", (Gauge<Double>) () -> skewRate);
            g.gauge("shadow_agreement", (Gauge<Double>) () -> shadowAgreement);
            g.gauge("shadow_mean_abs_difference", (Gauge<Double>) () -> shadowMeanAbsDifference);
        }
    }
}
