package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.avro.InferenceEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Re-scores one model's inference events through its ONNX artifact, co-located in the
 * TaskManager, and emits a {@link ScoredEvent} per scored event with the input's timestamp.
 * A thin Flink wrapper over {@link EventScorer}: the session is leased from
 * {@link SharedOrtSessions} (one per artifact per JVM), rows are micro-batched up to batch_size or
 * max_delay, and the batch is flushed before every checkpoint barrier and every watermark.
 *
 * <p>Why no state: flushing in {@link #prepareSnapshotPreBarrier} means a checkpoint never has
 * pending rows, so after a restart the source replays exactly the events whose scores were not yet
 * emitted before the barrier. With an exactly-once sink each event is scored once in the results.
 * Flushing before a watermark keeps scores from trailing the watermark and turning up late in
 * downstream windows.
 *
 * <p>Metrics (operator scope): counters {@code scored}, {@code skipped_missing_feature},
 * {@code skipped_invalid_feature}, {@code imputed_missing_feature}; histograms {@code batch_size}
 * and {@code batch_latency_ms} (first row in to last score out); gauge {@code scoring_provider} = 1
 * in the group {@code provider=<CPU|CUDA>}, and the string gauge {@code scoring_provider_name}.
 */
public class ScoringOperator extends AbstractStreamOperator<ScoredEvent>
        implements OneInputStreamOperator<InferenceEvent, ScoredEvent>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    private final ScoringModelConfig config;
    private final HashMap<String, Double> featureMeans;

    private transient SharedOrtSessions.Lease lease;
    private transient OrtBatchScorer batchScorer;
    private transient EventScorer scorer;
    private transient StreamRecord<ScoredEvent> reuse;
    private transient long batchStartedAt;
    private transient boolean timerArmed;
    private transient Counter scored;

    /**
     * @param featureMeans baseline mean of each feature, used by missing-policy impute-mean_mean
     */
    public ScoringOperator(ScoringModelConfig config, Map<String, Double> featureMeans) {
        this.config = config;
        this.featureMeans = featureMeans == null ? new HashMap<>() : new HashMap<>(featureMeans);
    }

    /**
     * Adds the scoring operator of one artifact to the graph: name "scoring <model> <label>", uid
     * "scoring-<model>-<label>" (stable across restarts as long as the config's model and role/label are).
     */
    public static SingleOutputStreamOperator<ScoredEvent> apply(
            DataStream<InferenceEvent> events, ScoringModelConfig config, Map<String, Double> featureMeans) {
        return apply(events, config, new ScoringOperator(config, featureMeans));
    }

    static SingleOutputStreamOperator<ScoredEvent> apply(
            DataStream<InferenceEvent> events, ScoringModelConfig config, ScoringOperator operator) {
        return events.transform("scoring " + config.model() + " " + config.artifactLabel(),
                        TypeInformation.of(ScoredEvent.class), operator)
                .uid("scoring-" + config.model() + "-" + config.artifactLabel());
    }

    @Override
    public void open() throws Exception {
        super.open();
        lease = SharedOrtSessions.jvmWide().acquire(config);
        MetricGroup metrics = getMetricGroup();
        scored = metrics.counter("scored");
        Counter skippedMissing = metrics.counter("skipped_missing_feature");
        Counter skippedInvalid = metrics.counter("skipped_invalid_feature");
        Counter imputed = metrics.counter("imputed_missing_feature");
        Histogram batchSize = metrics.histogram("batch_size", new DescriptiveStatisticsHistogram(1000));
        Histogram batchLatencyMs = metrics.histogram("batch_latency_ms", new DescriptiveStatisticsHistogram(1000));
        String provider = lease.provider().name();
        metrics.addGroup("provider", provider).gauge("scoring_provider", (Gauge<Integer>) () -> 1);
        metrics.gauge("scoring_provider_name", (Gauge<String>) () -> provider);

        EventScorer.Listener listener = new EventScorer.Listener() {
            @Override
            public void skipped(EventScorer.Skip reason) {
                (reason == EventScorer.Skip.MISSING_FEATURE ? skippedMissing : skippedInvalid).inc();
            }

            @Override
            public void imputed() {
                imputed.inc();
            }

            @Override
            public void batchScored(int rows, long latencyNanos) {
                batchSize.update(rows);
                batchLatencyMs.update(latencyNanos / 1_000_000);
            }
        };
        batchScorer = new OrtBatchScorer(lease.session(), lease.signature());
        scorer = new EventScorer(config, lease.signature(), batchScorer, featureMeans, listener);
        reuse = new StreamRecord<>(null);
    }

    @Override
    public void processElement(StreamRecord<InferenceEvent> element) throws Exception {
        InferenceEvent event = element.getValue();
        // Every model's events may reach every scoring operator; this one scores its own model only.
        if (!config.model().equals(event.getModelName())) {
            return;
        }
        boolean wasEmpty = scorer.pendingRows() == 0;
        boolean full = scorer.add(event, element.hasTimestamp() ? element.getTimestamp() : EventScorer.NO_TIMESTAMP);
        if (full) {
            flush();
        } else if (wasEmpty && scorer.pendingRows() > 0) {
            batchStartedAt = getProcessingTimeService().getCurrentProcessingTime();
            if (!timerArmed) {
                timerArmed = true;
                getProcessingTimeService().registerTimer(batchStartedAt + config.maxDelay().toMillis(), this);
            }
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timerArmed = false;
        if (scorer.pendingRows() == 0) {
            return;
        }
        long due = batchStartedAt + config.maxDelay().toMillis();
        if (time >= due) {
            flush();
        } else {
            // The batch that armed this timer was flushed by size; the pending one started later.
            timerArmed = true;
            getProcessingTimeService().registerTimer(due, this);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        if (scorer.pendingRows() != 0) {
            // Cannot happen: the barrier is preceded by a flush. A checkpoint with pending rows would lose them.
            throw new IllegalStateException("scoring " + config.model() + ": " + scorer.pendingRows()
                    + " rows pending at checkpoint " + context.getCheckpointId());
        }
        super.snapshotState(context);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (scorer != null) {
                // Only reached with rows pending when the task fails; the source replays them.
                scorer.discardPending();
            }
            if (batchScorer != null) {
                // its tensors before the session they ran on
                batchScorer.close();
                batchScorer = null;
            }
            if (lease != null) {
                lease.close();
                lease = null;
            }
        } finally {
            super.close();
        }
    }

    /** Rows waiting in the current micro-batch. */
    protected int pendingRows() {
        return scorer == null ? 0 : scorer.pendingRows();
    }

    /** The execution provider the session runs on. */
    public ScoringModelConfig.Provider provider() {
        return lease.provider();
    }

    private void flush() throws Exception {
        if (scorer == null) {
            return;
        }
        int n = scorer.flush((event, timestamp) -> {
            if (timestamp == EventScorer.NO_TIMESTAMP) {
                reuse.replace(event);
                reuse.eraseTimestamp();
            } else {
                reuse.replace(event, timestamp);
            }
            output.collect(reuse);
        });
        scored.inc(n);
    }
}
