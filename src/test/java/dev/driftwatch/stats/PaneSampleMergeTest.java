package dev.driftwatch.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PaneSampleMergeTest {

    static Reservoir pane(Random random, int k, int n, long seed) {
        Reservoir r = new Reservoir(k, seed);
        for (int i = 0; i < n; i++) {
            r.offer(random.nextGaussian(), random.nextDouble());
        }
        return r;
    }

    /** Panes as the window stage stores them: each sample's keys sorted largest first, with its values. */
    static final class Stored {
        final double[][] keys;
        final double[][] values;
        final long[] seen;

        Stored(List<Reservoir> newestFirst) {
            int w = newestFirst.size();
            keys = new double[w][];
            values = new double[w][];
            seen = new long[w];
            for (int d = 0; d < w; d++) {
                double[][] kv = newestFirst.get(d).copy().keysAndValuesSortedDescending();
                keys[d] = kv[0];
                values[d] = kv[1];
                seen[d] = newestFirst.get(d).seen();
            }
        }

        Reservoir merge(int k) {
            return PaneSampleMerge.mergeNewestFirst(keys, values, seen, keys.length, k);
        }
    }

    @Test
    void theWindowSampleIsTheKSmallestKeysOfAllPanesWhateverTheirSizesAndOrder() {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            int k = 1 + random.nextInt(60);
            int w = 1 + random.nextInt(12);
            List<Reservoir> panes = new ArrayList<>();
            Reservoir expected = new Reservoir(k, 0);
            for (int d = 0; d < w; d++) {
                int n = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(k + 1);
                    default -> random.nextInt(20 * k);
                };
                Reservoir p = pane(random, k, n, d);
                expected.merge(p.copy());
                panes.add(p);
            }
            long seen = panes.stream().mapToLong(Reservoir::seen).sum();
            Reservoir window = new Stored(panes).merge(k);
            assertThat(window.sortedValues()).as("round %d", round).containsExactly(expected.sortedValues());
            assertThat(window.seen()).isEqualTo(seen);
            assertThat(Double.compare(window.largestKey(), expected.largestKey())).as("largest key").isZero();
        }
    }

    @Test
    void panesAtPositionsOneTwoFourAndSoOnAreCutToTheirSmallestKeysAndNoPaneLosesANeededKey() {
        Random random = new Random(8);
        int k = 50;
        long neededAtCuts = 0;
        long keptAtCuts = 0;
        for (int round = 0; round < 200; round++) {
            List<Reservoir> panes = new ArrayList<>();
            List<double[]> keysBefore = new ArrayList<>();
            for (int d = 0; d < 12; d++) {
                Reservoir p = pane(random, k, 500, d);
                panes.add(p);
                keysBefore.add(Arrays.copyOf(p.getKeys(), p.size()));
            }
            Stored stored = new Stored(panes);
            stored.merge(k);
            List<Double> newer = new ArrayList<>();
            for (int d = 0; d < panes.size(); d++) {
                for (double key : keysBefore.get(d)) {
                    newer.add(key);
                }
                // what a later window can need of pane d: its keys at or below the k-th smallest of panes 0..d
                double bound = newer.stream().sorted().skip(k - 1).findFirst().orElseThrow();
                double[] before = keysBefore.get(d).clone();
                Arrays.sort(before);
                double[] kept = stored.keys[d].clone();
                assertThat(stored.values[d]).as("round %d pane %d: a value beside each key", round, d).hasSameSizeAs(kept);
                Arrays.sort(kept);
                long needed = Arrays.stream(before).filter(key -> key <= bound).count();
                assertThat(kept).as("round %d pane %d keeps its smallest keys", round, d)
                        .containsExactly(Arrays.copyOf(before, kept.length));
                assertThat(kept.length).as("round %d pane %d keeps every needed key", round, d).isGreaterThanOrEqualTo((int) needed);
                boolean cutHere = d > 0 && (d & (d - 1)) == 0;
                if (cutHere) {
                    neededAtCuts += needed;
                    keptAtCuts += kept.length;
                } else {
                    assertThat(kept).as("round %d pane %d is not cut", round, d).hasSize(before.length);
                }
            }
            // the newest pane keeps its k, the one at position 8 about k / 9
            assertThat(stored.keys[0]).hasSize(k);
            assertThat(stored.keys[8].length).isLessThan(k / 3);
        }
        // a cut may keep a few keys above the k-th (one probe where k + 2 sqrt(k) keys should fall, instead of a
        // selection): about 2 sqrt(k) / k more than it must, here 28%
        assertThat((double) keptAtCuts / neededAtCuts).as("kept / needed at the cuts").isBetween(1.0, 1 + 3 / Math.sqrt(k));
    }

    @Test
    void theGuessedSearchFindsTheFirstKeyAtOrBelowAnyPointInAnyRangeOfDescendingKeys() {
        Random random = new Random(13);
        for (int round = 0; round < 2000; round++) {
            int n = random.nextInt(200);
            double[] keys = new double[n];
            for (int i = 0; i < n; i++) {
                keys[i] = switch (round % 4) {
                    case 0 -> random.nextDouble();                         // as hashes are
                    case 1 -> Math.floor(random.nextDouble() * 5) / 5;     // many ties
                    case 2 -> Math.pow(random.nextDouble(), 8);            // bunched near 0
                    default -> random.nextBoolean() ? 1e-300 * random.nextDouble() : 0.5 + random.nextDouble() * 1e-12;
                };
            }
            double[] sorted = Arrays.stream(keys).boxed().sorted((x, y) -> Double.compare(y, x)).mapToDouble(Double::doubleValue).toArray();
            int lo = n == 0 ? 0 : random.nextInt(n + 1);
            int hi = lo + random.nextInt(n - lo + 1);
            double x = n > 0 && random.nextBoolean() ? sorted[random.nextInt(n)] : random.nextDouble() * 1.2 - 0.1;
            int expected = lo;
            while (expected < hi && sorted[expected] > x) {
                expected++;
            }
            assertThat(PaneSampleMerge.firstAtOrBelow(sorted, lo, hi, x)).as("round %d, [%d, %d), x=%s", round, lo, hi, x)
                    .isEqualTo(expected);
        }
    }

    @Test
    void aSortedPaneIsStillAReservoirThatTakesOffersAndMerges() {
        Random random = new Random(4);
        Reservoir sorted = pane(random, 100, 2000, 1);
        Reservoir plain = sorted.copy();
        assertThat(sorted.sortByKeyDescending()).isTrue();
        assertThat(sorted.sortByKeyDescending()).as("already sorted").isFalse();
        Reservoir more = pane(random, 100, 3000, 2);
        sorted.merge(more);
        plain.merge(more);
        for (int i = 0; i < 5000; i++) {
            double value = random.nextGaussian();
            double key = random.nextDouble();
            sorted.offer(value, key);
            plain.offer(value, key);
        }
        assertThat(sorted.sortedValues()).containsExactly(plain.sortedValues());
        assertThat(sorted.largestKey()).isEqualTo(plain.largestKey());
    }

    @Test
    void keysBunchedIntoOneNarrowRangeAreMergedAndPrunedExactlyToo() {
        // thousands of keys far closer together than uniform hashes would be: the probes cannot guess where the k-th
        // lies, halve the interval in question until few keys are left in it, or select among all still in it
        Random random = new Random(6);
        int k = 5000;
        for (int round = 0; round < 3; round++) {
            List<Reservoir> panes = new ArrayList<>();
            List<double[]> keysBefore = new ArrayList<>();
            Reservoir expected = new Reservoir(k, 0);
            for (int d = 0; d < 5; d++) {
                Reservoir p = new Reservoir(k, d);
                for (int i = 0; i < 8000; i++) {
                    p.offer(random.nextGaussian(), 0.5 + random.nextDouble() * 1e-9);
                }
                expected.merge(p.copy());
                p.compact();
                keysBefore.add(Arrays.copyOf(p.getKeys(), p.size()));
                panes.add(p);
            }
            Stored stored = new Stored(panes);
            Reservoir window = stored.merge(k);
            assertThat(window.sortedValues()).containsExactly(expected.sortedValues());
            List<Double> newer = new ArrayList<>();
            for (int d = 0; d < panes.size(); d++) {
                for (double key : keysBefore.get(d)) {
                    newer.add(key);
                }
                double bound = newer.stream().sorted().skip(k - 1).findFirst().orElseThrow();
                long needed = Arrays.stream(keysBefore.get(d)).filter(key -> key <= bound).count();
                int kept = d == 1 || d == 2 || d == 4 ? (int) needed : keysBefore.get(d).length;
                assertThat(stored.keys[d]).as("round %d pane %d", round, d).hasSize(kept);
            }
        }
    }
}
