package dev.driftwatch.window;

import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PaneWatermarksTest {
    static final long PANE = 60_000;
    static final long DELAY = 30_000;

    /** Records what a generator emits. */
    static final class Recorded implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        Long last() {
            return watermarks.isEmpty() ? null : watermarks.get(watermarks.size() - 1);
        }
    }

    @Test
    void theEventThatCarriesTheWatermarkPastAPanesEndEmitsItAtOnce() {
        PaneWatermarks<String> g = new PaneWatermarks<>(DELAY, PANE);
        Recorded out = new Recorded();
        long t0 = 10 * PANE;
        g.onEvent("first", t0, out);
        assertThat(out.watermarks).containsExactly(t0 - DELAY - 1);

        // later events whose watermark stays inside pane 9 [9P, 10P): nothing until a periodic emit
        g.onEvent("a", t0 + 20_000, out);
        g.onEvent("b", t0 + DELAY - 1, out);
        assertThat(out.watermarks).hasSize(1);

        // this one's watermark is 10P - 1: pane 9 is due now, not at the next periodic emit
        g.onEvent("c", t0 + DELAY, out);
        assertThat(out.last()).isEqualTo(t0 - 1);
        // and the next one only when pane 10 is due
        g.onEvent("d", t0 + DELAY + PANE - 1, out);
        assertThat(out.watermarks).hasSize(2);
        g.onEvent("e", t0 + DELAY + PANE, out);
        assertThat(out.watermarks).containsExactly(t0 - DELAY - 1, t0 - 1, t0 + PANE - 1);
    }

    @Test
    void periodicWatermarksAreFlinksBoundedOutOfOrdernessOnesAndOnEventOnesNeverRunAhead() {
        Random rnd = new Random(7);
        PaneWatermarks<String> g = new PaneWatermarks<>(DELAY, PANE);
        BoundedOutOfOrdernessWatermarks<String> flink = new BoundedOutOfOrdernessWatermarks<>(Duration.ofMillis(DELAY));
        Recorded ours = new Recorded();
        Recorded theirs = new Recorded();
        long t = 1_700_000_000_000L;
        long maxSeen = Long.MIN_VALUE;
        int panesCrossed = 0;
        long lastPaneDue = Long.MIN_VALUE;
        for (int i = 0; i < 20_000; i++) {
            t += rnd.nextInt(2_000);
            long ts = t - rnd.nextInt(45_000); // out of order by up to 45 s
            int before = ours.watermarks.size();
            g.onEvent("e", ts, ours);
            flink.onEvent("e", ts, theirs);
            maxSeen = Math.max(maxSeen, ts);
            if (ours.watermarks.size() > before) {
                long wm = ours.last();
                assertThat(wm).as("an on-event watermark is the bounded one").isEqualTo(maxSeen - DELAY - 1);
                long due = Math.floorDiv(wm + 1, PANE) * PANE - 1;
                assertThat(due).as("it is emitted only when it makes another pane due").isGreaterThan(lastPaneDue);
                lastPaneDue = due;
                panesCrossed++;
            }
            if (i % 97 == 0) {
                g.onPeriodicEmit(ours);
                flink.onPeriodicEmit(theirs);
                assertThat(ours.last()).isEqualTo(theirs.last());
            }
        }
        long panes = (t - 1_700_000_000_000L) / PANE;
        assertThat(panesCrossed).as("one watermark per pane, not per event").isBetween((int) panes - 2, (int) panes + 2);
    }

    @Test
    void rejectsANonPositivePane() {
        assertThatThrownBy(() -> new PaneWatermarks<>(DELAY, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pane");
    }
}
