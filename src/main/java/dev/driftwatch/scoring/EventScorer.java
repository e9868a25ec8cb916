package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.event.FeatureLayout;
import dev.driftwatch.event.FeatureMap;
import dev.driftwatch.scoring.OnnxModelArtifact.ModelSignature;
import dev.driftwatch.config.ScoringModelConfig.MissingPolicy;
import java.util.List;
import java.util.Map;

/**
 * The scoring path without Flink: turns an {@link InferenceEvent} into a feature row in the
 * model's order (imputing or skipping missing features as configured), micro-batches rows, and
 * turns each score into a {@link ScoredEvent}. {@link ScoringOperator} wraps it; the benchmark
 * drives it directly.
 */
public final class EventScorer {

    /** Why an event was not scored; each is counted under its own metric. */
    public enum Skip {
        /** A feature was absent, null, NaN or infinite and could not be imputed. */
        MISSING_FEATURE,
        /** A feature held a string where the model takes a number. */
        INVALID_FEATURE
    }

    /** What the scorer reports as it goes; the operator turns these into Flink metrics. */
    public interface Listener {
        void skipped(Skip reason);

        void imputed();

        /** A batch was scored: its size and the nanoseconds from its first row to its last score. */
        void batchScored(int rows, long latencyNanos);

        Listener NONE = new Listener() {
            @Override
            public void skipped(Skip reason) {}

            @Override
            public void imputed() {}

            @Override
            public void batchScored(int rows, long latencyNanos) {}
        };
    }

    /** Timestamp argument of an input record that has none. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** Receives every scored event with the Flink timestamp its input record had, or NO_TIMESTAMP. */
    @FunctionalInterface
    public interface ScoredEventSink {
        void accept(ScoredEvent event, long timestamp) throws Exception;
    }

    private final ScoringModelConfig config;
    private final List<String> featureOrder;
    private final double[] means;
    private final MicroBatcher<InferenceEvent> batcher;
    // the Flink timestamps of the pending rows, by row
    private final long[] timestamps;
    private int flushed;
    // positions of the model's features in the layout of the events seen last
    private FeatureLayout layout;
    private int[] positions;
    // whether the layout holds the model's features first, in the model's order
    private boolean inOrder;
    private final Listener listener;
    private final int featureCount;
    private final String role;
    private final String artifactLabel;
    private long firstRowNanos;

    /**
     * @param featureMeans baseline means by feature, for {@link MissingPolicy#IMPUTE_MEAN}; may be empty
     */
    public EventScorer(ScoringModelConfig config, ModelSignature signature, MicroBatcher.BatchScorer scorer,
            Map<String, Double> featureMeans, Listener listener) {
        this.config = config;
        this.featureOrder = signature.featureOrder();
        this.means = new double[featureOrder.size()];
        for (int i = 0; i < means.length; i++) {
            Double mean = featureMeans == null ? null : featureMeans.get(featureOrder.get(i));
            means[i] = mean == null || !Double.isFinite(mean) ? Double.NaN : mean;
        }
        this.batcher = new MicroBatcher<>(config.batchSize(), featureOrder.size(), scorer);
        this.listener = listener;
        this.featureCount = featureOrder.size();
        this.timestamps = new long[config.batchSize()];
        this.role = config.role().name();
        this.artifactLabel = config.artifactLabel();
    }

    /**
     * Adds the event to the batch, or counts it as skipped.
     *
     * @param timestamp the input record's Flink timestamp, or {@link #NO_TIMESTAMP}
     * @return true when the batch is full and must be flushed before the next add
     */
    public boolean add(InferenceEvent event, long timestamp) {
        Map<String, Object> features = event.getFeatures();
        FeatureMap flat = features instanceof FeatureMap f ? f : null;
        if (flat != null && flat.layout() != layout) {
            layout = flat.layout();
            positions = layout.positionsOf(featureOrder);
            inOrder = true;
            for (int i = 0; i < positions.length; i++) {
                inOrder &= positions[i] == i;
            }
        }
        float[] row = batcher.buffer();
        int offset = batcher.nextRowOffset();
        if (flat != null && (inOrder ? flat.copyLeadingFiniteNumbers(featureCount, row, offset)
                : flat.copyFiniteNumbers(positions, row, offset))) {
            // every feature present and finite: the common case, one tight loop
            return commit(event, timestamp);
        }
        boolean imputed = false;
        for (int i = 0; i < featureCount; i++) {
            double x;
            if (flat != null) {
                // the decoder's flat features: by position, no lookup, no boxing
                int at = positions[i];
                if (at >= 0 && flat.isNumber(at)) {
                    x = flat.number(at);
                } else if (at < 0 || flat.value(at) == null) {
                    x = Double.NaN;
                } else {
                    listener.skipped(Skip.INVALID_FEATURE);
                    return false;
                }
            } else {
                Object value = features == null ? null : features.get(featureOrder.get(i));
                if (value instanceof Number number) {
                    x = number.doubleValue();
                } else if (value == null) {
                    x = Double.NaN;
                } else {
                    listener.skipped(Skip.INVALID_FEATURE);
                    return false;
                }
            }
            if (!Double.isFinite(x)) {
                if (config.missingPolicy() == MissingPolicy.SKIP || Double.isNaN(means[i])) {
                    listener.skipped(Skip.MISSING_FEATURE);
                    return false;
                }
                x = means[i];
                imputed = true;
            }
            row[offset + i] = (float) x;
        }
        if (imputed) {
            listener.imputed();
        }
        return commit(event, timestamp);
    }

    private boolean commit(InferenceEvent event, long timestamp) {
        if (batcher.isEmpty()) {
            firstRowNanos = System.nanoTime();
        }
        timestamps[batcher.size()] = timestamp;
        return batcher.commitRow(event);
    }

    /** Scores the pending rows and emits their ScoredEvents in arrival order. */
    public int flush(ScoredEventSink sink) throws Exception {
        if (batcher.isEmpty()) {
            return 0;
        }
        long started = firstRowNanos;
        flushed = 0;
        int n = batcher.flush((event, score) -> sink.accept(toScored(event, score), timestamps[flushed++]));
        listener.batchScored(n, System.nanoTime() - started);
        return n;
    }

    public int pendingRows() {
        return batcher.size();
    }

    public void discardPending() {
        batcher.discard();
    }

    private ScoredEvent toScored(InferenceEvent event, float score) {
        Double logged = event.getPrediction();
        boolean skewed = logged != null && Math.abs(score - logged) > config.skewTolerance();
        return new ScoredEvent(event.getModelName(), event.getModelVersion(), role, artifactLabel,
                event.getEventId(), event.getEventTime().toEpochMilli(), logged, score, skewed);
    }
}
