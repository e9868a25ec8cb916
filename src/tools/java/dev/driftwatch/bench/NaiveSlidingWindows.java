package dev.driftwatch.bench;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.ModelBaselines;
import dev.driftwatch.baseline.SamplingKeys;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.profile.DriftTests;
import dev.driftwatch.profile.DriftThresholds;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.TestOutcome;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The naive peer of the throughput benchmark: the same per-window statistics done the textbook way, one record
 * per feature value, keyed by (model, feature), in Flink's {@link SlidingEventTimeWindows} with a
 * {@link ProcessWindowFunction} over all the window's values. The statistics are driftwatch's own
 * ({@link FeatureProfile}, {@link DriftTests}), so only the windowing differs from the job.
 */
final class NaiveSlidingWindows {
    private NaiveSlidingWindows() {}

    /** One feature value of one event, as the textbook pipeline ships it. A Flink POJO. */
    public static class FeatureValue {
        public String model;
        public String feature;
        public double value;
        public double sampleKey;

        public FeatureValue() {}

        public String key() {
            return model + '\u0000' + feature;
        }
    }

    static void define(StreamExecutionEnvironment env, Source<DecodedRecord, ?, ?> source, BaselineSource baselines,
                       Duration size, Duration slide, int reservoirSize) {
        WatermarkStrategy<DecodedRecord> watermarks = WatermarkStrategy
                .<DecodedRecord>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                .withTimestampAssigner((r, kafkaTs) -> r.event == null ? Long.MIN_VALUE : r.event.getEventTime().toEpochMilli());
        DataStream<FeatureValue> values = env.fromSource(source, watermarks, "inference-events").uid("events-source")
                .flatMap(new ExplodeFeatures()).returns(TypeInformation.of(FeatureValue.class))
                .name("explode-features").uid("explode-features");
        values.keyBy(FeatureValue::key)
                .window(SlidingEventTimeWindows.of(size, slide))
                .process(new WindowStatistics(baselines, reservoirSize))
                .name("naive-window-statistics").uid("naive-window-statistics")
                .sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
    }

    /** Event to one record per feature value (and the prediction). */
    static final class ExplodeFeatures implements FlatMapFunction<DecodedRecord, FeatureValue> {
        @Override
        public void flatMap(DecodedRecord r, Collector<FeatureValue> out) {
            if (r.event == null) {
                return;
            }
            InferenceEvent e = r.event;
            long eventHash = SamplingKeys.eventHash(e.getEventId());
            for (Map.Entry<String, Object> f : e.getFeatures().entrySet()) {
                out.collect(value(e, f.getKey(), f.getValue(), eventHash));
            }
            if (e.getPrediction() != null) {
                out.collect(value(e, Baseline.PREDICTION_FEATURE, e.getPrediction(), eventHash));
            }
        }

        private static FeatureValue value(InferenceEvent e, String feature, Object v, long eventHash) {
            FeatureValue fv = new FeatureValue();
            fv.model = e.getModelName();
            fv.feature = feature;
            fv.value = v instanceof Number n ? n.doubleValue() : Double.NaN;
            fv.sampleKey = SamplingKeys.key(eventHash, feature.hashCode());
            return fv;
        }
    }

    /** KS, PSI, KL and missing rate over every value of one (model, feature) window. */
    static final class WindowStatistics extends ProcessWindowFunction<FeatureValue, String, String, TimeWindow> {
        private final BaselineSource baselineSource;
        private final int reservoirSize;
        private transient Map<String, Baseline> byKey;

        WindowStatistics(BaselineSource baselineSource, int reservoirSize) {
            this.baselineSource = baselineSource;
            this.reservoirSize = reservoirSize;
        }

        @Override
        public void open(OpenContext openContext) {
            byKey = new HashMap<>();
            for (ModelBaselines mb : baselineSource.current().all()) {
                for (Baseline b : mb.features()) {
                    byKey.put(mb.model() + '\u0000' + b.feature(), b);
                }
                if (mb.prediction() != null) {
                    byKey.put(mb.model() + '\u0000' + Baseline.PREDICTION_FEATURE, mb.prediction());
                }
            }
        }

        @Override
        public void process(String key, Context ctx, Iterable<FeatureValue> elements, Collector<String> out) {
            Baseline b = byKey.get(key);
            if (b == null) {
                return;
            }
            FeatureProfile profile = FeatureProfile.empty(b, reservoirSize, 0);
            for (FeatureValue v : elements) {
                profile.add(v.value, v.sampleKey);
            }
            List<TestOutcome> outcomes = DriftTests.evaluate(profile, DriftThresholds.DEFAULTS);
            out.collect(key + ' ' + ctx.window().getEnd() + ' ' + outcomes.get(0).statistic());
        }
    }
}
