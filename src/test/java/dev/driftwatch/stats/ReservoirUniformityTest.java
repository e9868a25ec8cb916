package dev.driftwatch.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The reservoir is a uniform sample, after plain adds and after merges of panes of unequal sizes, tested
 * statistically: over R seeded runs, every item (or group of items) is counted each time it is in the sample, and a
 * chi-square test of those counts against their expectation must not reject uniformity at alpha = 0.001.
 *
 * <p>The statistic accounts for sampling without replacement: with N items in G equal groups of s, a run puts a
 * hypergeometric number of items of a group into a sample of k, with variance k (s/N) (1 - s/N) (N-k)/(N-1), and the
 * G counts always sum to R k. So T = sum_g (O_g - E_g)^2 / (R k (s/N) (N-k)/(N-1)) has mean G - 1 and is compared to
 * chi-square(G - 1). The seeds are fixed, so the outcome is the same on every run.
 */
class ReservoirUniformityTest {
    private static final double ALPHA = 0.001;

    @Test
    void plainAddsIncludeEveryItemEquallyOften() {
        int n = 1000;
        int k = 100;
        int runs = 5000;
        long[] inclusions = new long[n];
        for (int run = 0; run < runs; run++) {
            Reservoir reservoir = new Reservoir(k, Reservoir.deriveSeed(11, run));
            for (int i = 0; i < n; i++) {
                reservoir.add(i);
            }
            assertThat(reservoir.size()).isEqualTo(k);
            assertThat(reservoir.seen()).isEqualTo(n);
            count(reservoir, inclusions, 1);
        }
        assertUniform(inclusions, runs, k, n);
    }

    @Test
    void aLongStreamIsSampledUniformlyToItsEnd() {
        // 20000 items into k = 20: mostly the skip path, with W down to about k / N
        int n = 20_000;
        int k = 20;
        int runs = 3000;
        // 20 groups of 1000 consecutive items: most power against a drift in inclusion along the stream
        int groupSize = 1000;
        long[] inclusions = new long[n / groupSize];
        for (int run = 0; run < runs; run++) {
            Reservoir reservoir = new Reservoir(k, Reservoir.deriveSeed(12, run));
            for (int i = 0; i < n; i++) {
                reservoir.add(i);
            }
            count(reservoir, inclusions, groupSize);
        }
        assertUniform(inclusions, runs, k, n);
    }

    @Test
    void mergingPanesOfUnequalSizesGivesAUniformSampleOfTheUnion() {
        int[] paneSizes = {50, 300, 1650};
        int n = 2000;
        int k = 100;
        int runs = 4000;
        long[] inclusions = new long[n];
        for (int run = 0; run < runs; run++) {
            Reservoir window = new Reservoir(k, Reservoir.deriveSeed(13, run));
            int item = 0;
            for (int pane = 0; pane < paneSizes.length; pane++) {
                Reservoir paneSample = new Reservoir(k, Reservoir.deriveSeed(run, pane));
                for (int i = 0; i < paneSizes[pane]; i++) {
                    paneSample.add(item++);
                }
                window.merge(paneSample);
            }
            assertThat(window.size()).isEqualTo(k);
            assertThat(window.seen()).isEqualTo(n);
            count(window, inclusions, 1);
        }
        assertUniform(inclusions, runs, k, n);
    }

    @Test
    void addingAfterAMergeStaysUniform() {
        // a pane of 300 merged in, then 700 direct adds: the skip redrawn at the merge must not bias either part
        int n = 1000;
        int k = 100;
        int runs = 2000;
        long[] inclusions = new long[n];
        for (int run = 0; run < runs; run++) {
            Reservoir pane = new Reservoir(k, Reservoir.deriveSeed(14, run));
            for (int i = 0; i < 300; i++) {
                pane.add(i);
            }
            Reservoir window = new Reservoir(k, Reservoir.deriveSeed(15, run));
            window.merge(pane);
            for (int i = 300; i < n; i++) {
                window.add(i);
            }
            count(window, inclusions, 1);
        }
        assertUniform(inclusions, runs, k, n);
    }

    @Test
    void aSmallPaneIsNotOverRepresentedWhenMergedWithABigOne() {
        // An unweighted merge (half the sample from each side) would take all 10 small-pane items every run;
        // a correct one takes about k * 10 / 10010 = 0.1 per run. Total over R runs: hypergeometric sum.
        int small = 10;
        int big = 10_000;
        int k = 100;
        int runs = 1000;
        long fromSmall = 0;
        for (int run = 0; run < runs; run++) {
            Reservoir smallPane = new Reservoir(k, Reservoir.deriveSeed(16, run));
            for (int i = 0; i < small; i++) {
                smallPane.add(-1.0 - i);
            }
            Reservoir bigPane = new Reservoir(k, Reservoir.deriveSeed(17, run));
            for (int i = 0; i < big; i++) {
                bigPane.add(i);
            }
            // both merge orders must agree in distribution; alternate them
            Reservoir window = new Reservoir(k, Reservoir.deriveSeed(18, run));
            window.merge(run % 2 == 0 ? smallPane : bigPane);
            window.merge(run % 2 == 0 ? bigPane : smallPane);
            fromSmall += Arrays.stream(window.values()).filter(v -> v < 0).count();
        }
        double total = small + big;
        double share = small / total;
        double mean = runs * k * share;
        double sd = Math.sqrt(runs * k * share * (1 - share) * (total - k) / (total - 1));
        // two-sided z test at alpha = 0.001: |z| <= 3.29
        assertThat(Math.abs(fromSmall - mean) / sd).as("small-pane items %d, expected %.1f", fromSmall, mean)
                .isLessThanOrEqualTo(3.29);
    }

    @Test
    void sameSeedAndOrderGiveTheSameSample() {
        Reservoir a = new Reservoir(50, 42);
        Reservoir b = new Reservoir(50, 42);
        Reservoir other = new Reservoir(50, 43);
        for (int i = 0; i < 10_000; i++) {
            a.add(i * 0.5);
            b.add(i * 0.5);
            other.add(i * 0.5);
        }
        assertThat(a.values()).containsExactly(b.values());
        assertThat(a.sortedValues()).isNotEqualTo(other.sortedValues());

        Reservoir pane = new Reservoir(50, 7);
        for (int i = 0; i < 500; i++) {
            pane.add(-i);
        }
        a.merge(pane);
        b.merge(pane);
        for (int i = 0; i < 1000; i++) {
            a.add(1e6 + i);
            b.add(1e6 + i);
        }
        assertThat(a.values()).containsExactly(b.values());
    }

    @Test
    void aReservoirThatHasSeenFewerThanKValuesHoldsThemAll() {
        Reservoir reservoir = new Reservoir(100, 1);
        for (int i = 0; i < 60; i++) {
            reservoir.add(i);
        }
        assertThat(reservoir.size()).isEqualTo(60);
        assertThat(reservoir.sortedValues()).containsExactly(java.util.stream.IntStream.range(0, 60).asDoubleStream().toArray());

        Reservoir other = new Reservoir(100, 2);
        for (int i = 60; i < 90; i++) {
            other.add(i);
        }
        reservoir.merge(other);
        assertThat(reservoir.size()).isEqualTo(90);
        assertThat(reservoir.seen()).isEqualTo(90);
        assertThat(reservoir.sortedValues()).containsExactly(java.util.stream.IntStream.range(0, 90).asDoubleStream().toArray());
        assertThat(other.size()).as("the merged-in reservoir is unchanged").isEqualTo(30);
    }

    @Test
    void sortedValuesAreTheHeldValuesInOrder() {
        Reservoir reservoir = new Reservoir(200, 3);
        for (int i = 0; i < 5000; i++) {
            reservoir.add(Math.sin(i));
        }
        double[] held = reservoir.values();
        Arrays.sort(held);
        assertThat(reservoir.sortedValues()).containsExactly(held);
        assertThat(reservoir.sortedValues()).isSorted();
    }

    @Test
    void rejectsMergesThatCannotBeUniform() {
        Reservoir reservoir = new Reservoir(100, 1);
        assertThatThrownBy(() -> reservoir.merge(reservoir)).isInstanceOf(IllegalArgumentException.class);
        Reservoir smallFull = new Reservoir(10, 2);
        for (int i = 0; i < 50; i++) {
            smallFull.add(i);
        }
        assertThatThrownBy(() -> reservoir.merge(smallFull))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity 10");
        assertThatThrownBy(() -> new Reservoir(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Reservoir().add(1.0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("capacity 0");
    }

    private static void count(Reservoir reservoir, long[] inclusions, int groupSize) {
        for (double v : reservoir.values()) {
            inclusions[(int) v / groupSize]++;
        }
    }

    private static void assertUniform(long[] groupCounts, int runs, int k, int n) {
        int groups = groupCounts.length;
        double groupShare = 1.0 / groups;
        double expected = (double) runs * k * groupShare;
        double variance = (double) runs * k * groupShare * (n - k) / (n - 1.0);
        double statistic = 0.0;
        long total = 0;
        for (long count : groupCounts) {
            statistic += (count - expected) * (count - expected) / variance;
            total += count;
        }
        assertThat(total).isEqualTo((long) runs * k);
        double pValue = ChiSquare.survival(statistic, groups - 1);
        assertThat(pValue)
                .as("uniformity chi-square %.1f on %d dof", statistic, groups - 1)
                .isGreaterThan(ALPHA);
    }
}
