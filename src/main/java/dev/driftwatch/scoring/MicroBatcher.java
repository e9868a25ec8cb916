package dev.driftwatch.scoring;

import java.util.Arrays;

/**
 * Collects feature rows into one reusable row-major float buffer ([batchSize, features]) and
 * scores them together when the batch is full or when the caller asks (timer, watermark,
 * checkpoint). Scoring rows together is what makes ONNX Runtime cheap per event; the buffer is
 * reused so a steady stream allocates nothing per row but its item reference. Not thread-safe:
 * one batcher per operator instance.
 *
 * @param <T> what travels with a row and comes back with its score (the event, its timestamp)
 */
public final class MicroBatcher<T> {

    /** Scores the first rowCount rows of a row-major buffer into scores[0..rowCount). */
    @FunctionalInterface
    public interface BatchScorer {
        void score(float[] rows, int rowCount, float[] scores) throws Exception;
    }

    /** Receives each item of a flushed batch with its score, in the order the rows were added. */
    @FunctionalInterface
    public interface ScoredRowSink<T> {
        void accept(T item, float score) throws Exception;
    }

    private final int batchSize;
    private final int featureCount;
    private final BatchScorer scorer;
    private final float[] rows;
    private final float[] scores;
    private final Object[] items;
    private int size;

    public MicroBatcher(int batchSize, int featureCount, BatchScorer scorer) {
        if (batchSize < 1 || featureCount < 1) {
            throw new IllegalArgumentException(
                    "batchSize and featureCount must be >= 1, got " + batchSize + ", " + featureCount);
        }
        this.batchSize = batchSize;
        this.featureCount = featureCount;
        this.scorer = scorer;
        this.rows = new float[batchSize * featureCount];
        this.scores = new float[batchSize];
        this.items = new Object[batchSize];
    }

    /**
     * Adds one row (features in the model's order, copied) and returns true when the batch is now
     * full and should be flushed before the next add.
     *
     * @throws IllegalStateException when the batch is already full
     */
    public boolean add(T item, float[] row) {
        if (size == batchSize) {
            throw new IllegalStateException("micro-batch is full (" + batchSize + " rows); flush it first");
        }
        if (row.length != featureCount) {
            throw new IllegalArgumentException("row has " + row.length + " features, the model takes " + featureCount);
        }
        System.arraycopy(row, 0, rows, size * featureCount, featureCount);
        items[size++] = item;
        return size == batchSize;
    }

    /**
     * Offset in {@link #buffer()} of the row the next {@link #commitRow} adds: callers that build rows themselves
     * write the features there directly (no intermediate row, no copy); what they write is ignored until committed.
     *
     * @throws IllegalStateException when the batch is already full
     */
    public int nextRowOffset() {
        if (size == batchSize) {
            throw new IllegalStateException("micro-batch is full (" + batchSize + " rows); flush it first");
        }
        return size * featureCount;
    }

    /** The row-major batch buffer ([batchSize, features]); see {@link #nextRowOffset}. */
    public float[] buffer() {
        return rows;
    }

    /**
     * Adds the row written at {@link #nextRowOffset} with its item; returns true when the batch is now full.
     *
     * @throws IllegalStateException when the batch is already full
     */
    public boolean commitRow(T item) {
        nextRowOffset();
        items[size++] = item;
        return size == batchSize;
    }

    /**
     * Scores the pending rows and hands each item with its score to the sink, then empties the
     * batch. An exception from the scorer leaves the rows pending (the job fails and replays them
     * from the last checkpoint; nothing is emitted twice because nothing was emitted).
     *
     * @return how many rows were scored
     */
    @SuppressWarnings("unchecked")
    public int flush(ScoredRowSink<T> sink) throws Exception {
        if (size == 0) {
            return 0;
        }
        int n = size;
        scorer.score(rows, n, scores);
        size = 0;
        for (int i = 0; i < n; i++) {
            T item = (T) items[i];
            items[i] = null;
            sink.accept(item, scores[i]);
        }
        return n;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int batchSize() {
        return batchSize;
    }

    public int featureCount() {
        return featureCount;
    }

    /** Drops pending rows without scoring them; only for a task that is being torn down. */
    public void discard() {
        Arrays.fill(items, 0, size, null);
        size = 0;
    }
}
