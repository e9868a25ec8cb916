package dev.driftwatch.stats;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SortedReferenceTest {

    static double[] sample(Random random, int n, int shape) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (shape) {
                case 0 -> random.nextGaussian();
                case 1 -> Math.floor(random.nextGaussian() * 2);          // a few values, many ties
                case 2 -> random.nextDouble() < 0.6 ? 0.0 : random.nextGaussian(); // one heavy value
                case 3 -> Math.exp(random.nextGaussian() * 4);            // long tail
                default -> i % 2 == 0 ? Double.NEGATIVE_INFINITY : random.nextGaussian();
            };
        }
        Arrays.sort(v);
        return v;
    }

    @Test
    void aSampleSortedByRankAndTestedAgainstTheTableGivesExactlyKsAgainstTheWalk() {
        Random random = new Random(31);
        for (int round = 0; round < 600; round++) {
            int shape = round % 5;
            double[] reference = sample(random, 1 + random.nextInt(3000), shape);
            // the window drawn the same way, shifted sometimes, and sometimes from another shape
            double[] window = sample(random, 1 + random.nextInt(1200), random.nextInt(4) == 0 ? (shape + 1) % 5 : shape);
            if (round % 3 == 0) {
                for (int i = 0; i < window.length; i++) {
                    window[i] += 0.3;
                }
            }
            SortedReference table = new SortedReference(reference);
            KsResult walked = KolmogorovSmirnov.testSorted(window, window.length, reference, reference.length);
            // the window as a sample holds it: in no order
            double[] shuffled = window.clone();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                double t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            int[] below = new int[shuffled.length];
            table.sortByRank(shuffled, shuffled.length, below);
            assertThat(shuffled).as("sorted by rank").containsExactly(window);
            for (int i = 0; i < window.length; i++) {
                assertThat(below[i]).isEqualTo(table.countBelow(window[i]));
            }
            KsResult looked = KolmogorovSmirnov.testRanked(shuffled, below, shuffled.length, table);
            assertThat(looked).as("round %d (shape %d, n=%d, m=%d)", round, shape, window.length, reference.length)
                    .isEqualTo(walked);
        }
    }

    @Test
    void countsAreExactAtAndBetweenTheValues() {
        Random random = new Random(2);
        for (int shape = 0; shape < 5; shape++) {
            double[] reference = sample(random, 2000, shape);
            SortedReference table = new SortedReference(reference);
            for (int i = 0; i < 5000; i++) {
                double x = i % 3 == 0 ? reference[random.nextInt(reference.length)]
                        : i % 3 == 1 ? Math.nextUp(reference[random.nextInt(reference.length)]) : random.nextGaussian() * 10;
                long below = Arrays.stream(reference).filter(v -> v < x).count();
                long atOrBelow = Arrays.stream(reference).filter(v -> v <= x).count();
                int counted = table.countBelow(x);
                assertThat(counted).as("shape %d, x=%s", shape, x).isEqualTo(below);
                assertThat(table.countAtOrBelow(x, counted)).isEqualTo(atOrBelow);
            }
        }
    }

    @Test
    void aSampleFarOutsideTheReferenceIsSortedToo() {
        Random random = new Random(12);
        SortedReference table = new SortedReference(sample(random, 2000, 0));
        double[] values = new double[5000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100 + random.nextGaussian(); // every value above the reference: one gap holds them all
        }
        double[] expected = values.clone();
        Arrays.sort(expected);
        int[] below = new int[values.length];
        table.sortByRank(values, values.length, below);
        assertThat(values).containsExactly(expected);
        assertThat(below).containsOnly(2000);
        assertThatThrownBy(() -> table.sortByRank(new double[] {1, Double.NaN}, 2, new int[2])).hasMessageContaining("NaN");
    }

    @Test
    void refusesAReferenceThatIsEmptyUnsortedOrHoldsNaN() {
        assertThatThrownBy(() -> new SortedReference(new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SortedReference(new double[] {2, 1})).hasMessageContaining("not sorted");
        assertThatThrownBy(() -> new SortedReference(new double[] {1, Double.NaN})).hasMessageContaining("NaN");
    }
}
