package dev.driftwatch.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows go into one reusable buffer in order and come back with their own scores. */
class MicroBatcherTest {

    /** Scores a row as the sum of its features, so each score identifies its row. */
    private static final MicroBatcher.BatchScorer ROW_SUM = (rows, n, scores) -> {
        int f = rows.length / scores.length;
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int j = 0; j < f; j++) {
                s += rows[i * f + j];
            }
            scores[i] = s;
        }
    };

    @Test
    void reportsFullAtBatchSizeAndScoresEachRowWithItsItem() throws Exception {
        MicroBatcher<String> batcher = new MicroBatcher<>(3, 2, ROW_SUM);
        float[] row = new float[2];
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            row[0] = i;
            row[1] = 10 * i; // the caller reuses its row array; the batcher copies it
            boolean full = batcher.add("e" + i, row);
            assertThat(full).isEqualTo(i == 2);
        }
        assertThatThrownBy(() -> batcher.add("e3", row)).isInstanceOf(IllegalStateException.class);
        assertThat(batcher.flush((item, score) -> out.add(item + "=" + score))).isEqualTo(3);
        assertThat(out).containsExactly("e0=0.0", "e1=11.0", "e2=22.0");
        assertThat(batcher.isEmpty()).isTrue();
    }

    @Test
    void flushOfAPartialBatchScoresOnlyItsRows() throws Exception {
        MicroBatcher<Integer> batcher = new MicroBatcher<>(8, 1, ROW_SUM);
        for (int round = 0; round < 2; round++) {
            List<Float> scores = new ArrayList<>();
            for (int i = 0; i < 3 + round; i++) {
                batcher.add(i, new float[] {100 * round + i});
            }
            batcher.flush((item, score) -> scores.add(score));
            assertThat(scores).hasSize(3 + round).first().isEqualTo(100f * round);
        }
        assertThat(batcher.flush((item, score) -> {
            throw new AssertionError("empty batch emitted " + item);
        })).isZero();
    }

    @Test
    void failedScoringKeepsTheRowsPendingAndEmitsNothing() {
        MicroBatcher<Integer> batcher = new MicroBatcher<>(4, 1, (rows, n, scores) -> {
            throw new IllegalStateException("device lost");
        });
        batcher.add(1, new float[] {1});
        List<Integer> out = new ArrayList<>();
        assertThatThrownBy(() -> batcher.flush((item, score) -> out.add(item))).hasMessage("device lost");
        assertThat(out).isEmpty();
        assertThat(batcher.size()).isEqualTo(1);
    }

    @Test
    void rowOfTheWrongWidthIsRejected() {
        MicroBatcher<Integer> batcher = new MicroBatcher<>(4, 3, ROW_SUM);
        assertThatThrownBy(() -> batcher.add(1, new float[2])).hasMessageContaining("row has 2 features, the model takes 3");
    }
}
