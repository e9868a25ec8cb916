package dev.driftwatch.window;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks (max event time - delay - 1, like Flink's own) that are also emitted at once
 * when an event carries them past a pane's end, not only on the next periodic emit.
 *
 * <p>Why: a pane is emitted, and stage 2 can evaluate it, only when the watermark passes its end. With periodic
 * watermarks alone a backlog read at full speed covers many panes of event time between two emits (200 ms at a
 * million events/s is minutes of a quiet model's traffic), so the pane stage holds all of them open, and at
 * parallelism > 1 stage 2 holds the faster reader's panes until the slower one's next emit. Here a watermark follows
 * every pane boundary: at most one per pane and split, so it costs one comparison per event.
 */
public final class PaneWatermarks<T> implements WatermarkGenerator<T> {
    private final long delay;
    private final long paneMillis;
    private long maxTimestamp;
    // the smallest watermark at which another pane becomes due (a pane [s, s + P) is due at s + P - 1)
    private long nextPaneDue = Long.MIN_VALUE;

    /**
     * @param outOfOrdernessMillis how far behind the newest event time the watermark stays
     * @param paneMillis           the pane length (the window's slide)
     */
    public PaneWatermarks(long outOfOrdernessMillis, long paneMillis) {
        if (outOfOrdernessMillis < 0 || paneMillis <= 0) {
            throw new IllegalArgumentException("out-of-orderness must be >= 0 and the pane > 0, got "
                    + outOfOrdernessMillis + " ms and " + paneMillis + " ms");
        }
        this.delay = outOfOrdernessMillis;
        this.paneMillis = paneMillis;
        this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMillis + 1;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        if (eventTimestamp <= maxTimestamp) {
            return;
        }
        maxTimestamp = eventTimestamp;
        long watermark = eventTimestamp - delay - 1;
        if (watermark >= nextPaneDue) {
            output.emitWatermark(new Watermark(watermark));
            nextPaneDue = Math.floorDiv(watermark + 1, paneMillis) * paneMillis + paneMillis - 1;
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.emitWatermark(new Watermark(maxTimestamp - delay - 1));
    }
}
