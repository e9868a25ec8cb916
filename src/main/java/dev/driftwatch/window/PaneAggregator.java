package dev.driftwatch.window;

import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSet;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.ModelBaselines;
import dev.driftwatch.baseline.SamplingKeys;
import dev.driftwatch.event.DeadLetterReason;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.FeatureLayout;
import dev.driftwatch.event.FeatureMap;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.PaneProfile;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 1, chained to the source: validates events and folds them into per-(model version, pane) partial
 * profiles of every baselined feature and of the prediction, emitted when the watermark passes the pane's
 * end. Raw events never leave the task that read them; bad and late records go to the dead-letter side output.
 */
public class PaneAggregator extends AbstractStreamOperator<PaneProfile>
        implements OneInputStreamOperator<DecodedRecord, PaneProfile> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final BaselineSource baselineSource;
    private final long paneMillis;
    private final int reservoirSize;
    private final int maxFeatures;

    /** This JVM's view of the baselines; a new snapshot is taken whenever a pane is opened. */
    private transient BaselineSource.Subscription baselines;
    private transient Map<PaneKey, OpenPane> openPanes;
    private transient ListState<PaneProfile> checkpointedPanes;
    private transient long currentWatermark;
    /** The pane the previous event went to (null when panes were emitted since). */
    private transient OpenPane lastPane;

    private transient Counter eventsIn;
    private transient Counter eventsValid;
    private transient Counter eventsLate;
    private transient Counter eventsNoBaseline;
    private transient Counter valuesNonFinite;
    private transient Counter valuesWrongType;
    private transient Counter deadLettered;
    private transient Map<DeadLetterReason, Counter> invalidByReason;

    public PaneAggregator(BaselineSource baselineSource, long paneMillis, int reservoirSize, int maxFeatures) {
        this.baselineSource = baselineSource;
        this.paneMillis = paneMillis;
        this.reservoirSize = reservoirSize;
        this.maxFeatures = maxFeatures;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointedPanes = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("open-panes", TypeInformation.of(PaneProfile.class)));
        openPanes = new HashMap<>();
        currentWatermark = Long.MIN_VALUE;
        baselines = baselineSource.subscribe();
        if (context.isRestored()) {
            BaselineSet set = baselines.current();
            for (PaneProfile p : checkpointedPanes.get()) {
                Baseline b = set.byFingerprint(p.baselineFingerprint);
                ModelBaselines mb = b == null ? null : set.forEvent(p.model, p.modelVersion);
                if (mb == null) {
                    LOG.warn("Dropping restored pane {}: its baseline {} is no longer available", p, p.baselineFingerprint);
                    continue;
                }
                OpenPane pane = openPanes.computeIfAbsent(new PaneKey(p.model, p.modelVersion, p.paneStart),
                        k -> new OpenPane(mb, k, reservoirSize));
                pane.restore(p);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (baselines == null) {
            baselines = baselineSource.subscribe();
        }
        MetricGroup g = getMetricGroup().addGroup("driftwatch");
        eventsIn = g.counter("events_in");
        eventsValid = g.counter("events_valid");
        eventsLate = g.counter("events_late");
        eventsNoBaseline = g.counter("events_no_baseline");
        valuesNonFinite = g.counter("values_non_finite");
        valuesWrongType = g.counter("values_wrong_type");
        deadLettered = g.counter("dead_letters");
        invalidByReason = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            invalidByReason.put(r, g.addGroup("reason", r.name()).counter("events_invalid"));
        }
    }

    @Override
    public void processElement(StreamRecord<DecodedRecord> element) throws Exception {
        DecodedRecord r = element.getValue();
        eventsIn.inc();
        if (!r.isValid()) {
            deadLetter(r, r.failure, r.error);
            return;
        }
        InferenceEvent e = r.event;
        String invalid = validate(e);
        if (invalid != null) {
            deadLetter(r, e.getFeatures() != null && e.getFeatures().size() > maxFeatures
                    ? DeadLetterReason.TOO_MANY_FEATURES : DeadLetterReason.INVALID, invalid);
            return;
        }
        long ts = e.getEventTime().toEpochMilli();
        long paneStart = Math.floorDiv(ts, paneMillis) * paneMillis;
        if (paneStart + paneMillis - 1 <= currentWatermark) {
            eventsLate.inc();
            deadLetter(r, DeadLetterReason.LATE, "event time " + e.getEventTime() + " is behind the watermark "
                    + java.time.Instant.ofEpochMilli(currentWatermark) + ": its pane was already evaluated");
            return;
        }
        OpenPane pane = lastPane;
        // consecutive events mostly share a model and a pane: skip the key, the map and the baseline lookup then
        if (pane == null || pane.paneStart != paneStart || !pane.model.equals(e.getModelName())
                || !pane.version.equals(e.getModelVersion())) {
            PaneKey key = new PaneKey(e.getModelName(), e.getModelVersion(), paneStart);
            pane = openPanes.get(key);
            if (pane == null) {
                // the baselines are looked up once per pane: one published or retired meanwhile counts from the next pane on
                ModelBaselines mb = baselines.current().forEvent(e.getModelName(), e.getModelVersion());
                if (mb == null) {
                    eventsNoBaseline.inc();
                    return;
                }
                pane = new OpenPane(mb, key, reservoirSize);
                openPanes.put(key, pane);
            }
            lastPane = pane;
        }
        eventsValid.inc();
        long eventHash = SamplingKeys.eventHash(e.getEventId().isEmpty()
                ? r.topic + "/" + r.partition + "/" + r.offset : e.getEventId());
        pane.add(e, eventHash, this);
    }

    private String validate(InferenceEvent e) {
        if (e.getModelName() == null || e.getModelName().isBlank()) {
            return "model_name is empty";
        }
        if (e.getModelVersion() == null) {
            return "model_version is missing";
        }
        if (e.getEventTime() == null || e.getEventTime().toEpochMilli() <= 0) {
            return "event_time is not a positive epoch-millis timestamp";
        }
        if (e.getFeatures() == null) {
            return "features map is missing";
        }
        if (e.getFeatures().size() > maxFeatures) {
            return e.getFeatures().size() + " features, more than sampling.max-features = " + maxFeatures;
        }
        return null;
    }

    private void deadLetter(DecodedRecord r, DeadLetterReason reason, String detail) {
        invalidByReason.get(reason).inc();
        deadLettered.inc();
        output.collect(DEAD_LETTERS, new StreamRecord<>(r.toDeadLetter(reason, detail)));
    }

    void countNonFinite() {
        valuesNonFinite.inc();
    }

    void countWrongType() {
        valuesWrongType.inc();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        currentWatermark = mark.getTimestamp();
        List<PaneKey> due = new ArrayList<>();
        for (PaneKey k : openPanes.keySet()) {
            if (k.paneStart + paneMillis - 1 <= currentWatermark) {
                due.add(k);
            }
        }
        // emit in pane order so downstream timers see panes of a window in sequence
        due.sort((a, b) -> Long.compare(a.paneStart, b.paneStart));
        if (!due.isEmpty()) {
            lastPane = null;
        }
        for (PaneKey k : due) {
            OpenPane pane = openPanes.remove(k);
            long end = k.paneStart + paneMillis;
            for (PaneProfile p : pane.toPanes(k.paneStart, end)) {
                output.collect(new StreamRecord<>(p, end - 1));
            }
        }
        super.processWatermark(mark);
    }

    @Override
    public void close() throws Exception {
        if (baselines != null) {
            baselines.close();
            baselines = null;
        }
        super.close();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<PaneProfile> all = new ArrayList<>();
        for (Map.Entry<PaneKey, OpenPane> en : openPanes.entrySet()) {
            all.addAll(en.getValue().toPanes(en.getKey().paneStart, en.getKey().paneStart + paneMillis));
        }
        checkpointedPanes.update(all);
    }

    /** (model, version, pane start). */
    record PaneKey(String model, String version, long paneStart) {}

    /** The live profiles of one model version in one pane. */
    static final class OpenPane {
        private final ModelBaselines baselines;
        private final String model;
        private final String version;
        private final long paneStart;
        private final FeatureProfile[] features;
        private final FeatureProfile prediction;
        // positions of the baselined features in the events' layout, for the layout seen last
        private FeatureLayout layout;
        private int[] positions;

        OpenPane(ModelBaselines mb, PaneKey key, int reservoirSize) {
            this.baselines = mb;
            this.model = key.model();
            this.version = key.version();
            this.paneStart = key.paneStart();
            Baseline[] bs = mb.features();
            this.features = new FeatureProfile[bs.length];
            for (int i = 0; i < bs.length; i++) {
                features[i] = FeatureProfile.empty(bs[i], reservoirSize, mb.salt(i) ^ key.paneStart(), false);
            }
            this.prediction = mb.prediction() == null ? null
                    : FeatureProfile.empty(mb.prediction(), reservoirSize, mb.salt(bs.length) ^ key.paneStart(), false);
        }

        void add(InferenceEvent e, long eventHash, PaneAggregator owner) {
            Map<String, Object> values = e.getFeatures();
            Baseline[] bs = baselines.features();
            if (values instanceof FeatureMap flat) {
                addByPosition(flat, eventHash, owner);
            } else {
                for (int i = 0; i < bs.length; i++) {
                    addValue(features[i], values.get(bs[i].feature()), eventHash, baselines.salt(i), owner);
                }
            }
            if (prediction != null) {
                addValue(prediction, e.getPrediction(), eventHash, baselines.salt(bs.length), owner);
            }
        }

        /** The decoder's flat features: positions looked up once per layout, numbers read without boxing. */
        private void addByPosition(FeatureMap flat, long eventHash, PaneAggregator owner) {
            if (flat.layout() != layout) {
                layout = flat.layout();
                positions = layout.positionsOf(baselines.featureNames());
            }
            for (int i = 0; i < features.length; i++) {
                int at = positions[i];
                FeatureProfile p = features[i];
                if (at >= 0 && flat.isNumber(at) && p.isNumeric()) {
                    double v = flat.number(at);
                    if (Double.isFinite(v)) {
                        p.add(v, SamplingKeys.key(eventHash, baselines.salt(i)));
                    } else {
                        owner.countNonFinite();
                        p.addMissing();
                    }
                } else {
                    addValue(p, at < 0 ? null : flat.value(at), eventHash, baselines.salt(i), owner);
                }
            }
        }

        private static void addValue(FeatureProfile p, Object v, long eventHash, long salt, PaneAggregator owner) {
            if (v instanceof Double d && !Double.isFinite(d)) {
                owner.countNonFinite();
            }
            if (!p.addValue(v, SamplingKeys.key(eventHash, salt))) {
                owner.countWrongType();
            }
        }

        void restore(PaneProfile p) {
            for (FeatureProfile f : features) {
                if (f.baseline().fingerprint().equals(p.baselineFingerprint)) {
                    f.merge(p);
                    return;
                }
            }
            if (prediction != null && prediction.baseline().fingerprint().equals(p.baselineFingerprint)) {
                prediction.merge(p);
            }
        }

        List<PaneProfile> toPanes(long start, long end) {
            List<PaneProfile> out = new ArrayList<>(features.length + 1);
            for (FeatureProfile f : features) {
                out.add(f.toPane(model, version, start, end));
            }
            if (prediction != null) {
                out.add(prediction.toPane(model, version, start, end));
            }
            return out;
        }
    }

}
