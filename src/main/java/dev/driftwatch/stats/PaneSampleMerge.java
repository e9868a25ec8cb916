package dev.driftwatch.stats;

import java.util.Arrays;

/**
 * The window stage's merge of pane samples: the k smallest keys of a window's panes, and stored panes cut down to
 * the keys a later window can still need. Exact: the same sample as merging the full panes.
 *
 * <p>Panes are merged newest first. Every later window that contains pane d also contains the panes newer than d
 * (windows end later, so they reach at least as far), so its k-th smallest key is at most the k-th smallest key of
 * panes 0..d; keys of d above it can be dropped. Cutting every pane to that bound at every window would keep a
 * window of W panes at about k (1 + 1/2 + ... + 1/W) values, but needs W selections per window and stores every
 * pane again. A pane is instead cut when it reaches position 1, 2, 4, 8, ... (newest first): a pane between two
 * such positions keeps at most about twice what it must (about 10% more values in all at W = 12, 20% at W = 60),
 * and a window makes about log2(W) selections and stores as many panes again. A cut needs only a bound at or above
 * that k-th smallest key: where one probe (the rank k + 2 sqrt(k) among uniform keys) already counts k keys or more,
 * that probe is the bound, and the pane keeps about 2 sqrt(k) / (d + 1) keys more than it must (6% at k = 1000)
 * for one search per pane instead of a selection; the window's own sample is always the exact k smallest.
 *
 * <p>How it is fast: a stored pane's sample is kept sorted by key, largest first, in a pair of arrays exactly as long
 * as it holds; what a pane keeps, and what a window takes from it, is a run of its smallest keys.
 * The k-th smallest key of several sorted panes is found by counting the keys at or below a probe, with one search
 * in each pane ({@link #firstAtOrBelow}). The keys are uniform hashes, so a pane that has seen N values holds about
 * N x of them below x, and the first two probes (ranks k - 2 sqrt(k) and k + 2 sqrt(k)) usually leave a hundred or
 * so keys in question, which are then compared directly. Keys that are not spread evenly only take more probes
 * (interpolation, then halving) and, after a bounded number, a selection among all the keys still in question. A
 * window reads O(W log k) keys plus the k it takes, not the k (1 + 1/2 + ... + 1/W) it stores.
 */
public final class PaneSampleMerge {
    private PaneSampleMerge() {}

    // stop probing once this few keys are left in question, or after this many probes
    private static final int FEW = 48;
    private static final int MAX_PROBES = 40;

    /**
     * Merges the samples of {@code w} panes, newest first, into one sample of at most k, and cuts the panes at
     * positions 1, 2, 4, ... to the keys a later window can need (see the class comment). Pane j's sample is
     * {@code keys[j]} with {@code values[j]}, sorted by key, largest first, exactly as long as it holds, of a
     * reservoir that saw {@code seen[j]} values; a cut pane gets new, shorter arrays in place.
     *
     * @return the window's sample: the k smallest keys of all the panes
     */
    public static Reservoir mergeNewestFirst(double[][] keys, double[][] values, long[] seen, int w, int k) {
        Panes panes = new Panes(w);
        long seenAll = 0;
        for (int d = 0; d < w; d++) {
            seenAll += seen[d];
            panes.set(d, keys[d], seen[d]);
        }
        for (int d = 1; d < w; d <<= 1) {
            double bound = panes.cutBound(d + 1, k);
            if (Double.isNaN(bound)) {
                continue;
            }
            int n = panes.sizes[d];
            int keep = panes.countAtOrBelowBound(d, bound);
            if (keep < n) {
                // a pane keeps its smallest keys, which sorted largest first are its last
                keys[d] = Arrays.copyOfRange(keys[d], n - keep, n);
                values[d] = Arrays.copyOfRange(values[d], n - keep, n);
                panes.set(d, keys[d], seen[d]);
            }
        }
        // the window: every key at or below the k-th smallest of all (ties at it trimmed to k, from the newest pane)
        double bound = panes.kthSmallest(w, k);
        int[] take = new int[w];
        long taken = 0;
        for (int j = 0; j < w; j++) {
            take[j] = Double.isNaN(bound) ? panes.sizes[j] : panes.countAtOrBelowBound(j, bound);
            taken += take[j];
        }
        for (int j = 0; j < w && taken > k; j++) {
            int n = panes.sizes[j];
            while (take[j] > 0 && taken > k && keys[j][n - take[j]] == bound) {
                take[j]--;
                taken--;
            }
        }
        double[] windowKeys = new double[(int) taken];
        double[] windowValues = new double[(int) taken];
        int at = 0;
        for (int j = 0; j < w; j++) {
            int from = panes.sizes[j] - take[j];
            System.arraycopy(keys[j], from, windowKeys, at, take[j]);
            System.arraycopy(values[j], from, windowValues, at, take[j]);
            at += take[j];
        }
        return Reservoir.ofHeld(k, windowValues, windowKeys, (int) taken, seenAll);
    }

    /** The sorted keys of the panes, and the search for the k-th smallest key of the newest m of them. */
    private static final class Panes {
        final double[][] keys;
        final int[] sizes;
        final long[] seen;
        // per pane, during a search: keys[j][0, above[j]) lie above the interval in question, keys[j][below[j], n)
        // at or below its low end; probe[j] is where a probe cut
        private final int[] above;
        private final int[] below;
        private final int[] probe;
        private double[] scratch = new double[64];

        Panes(int w) {
            keys = new double[w][];
            sizes = new int[w];
            seen = new long[w];
            above = new int[w];
            below = new int[w];
            probe = new int[w];
        }

        void set(int d, double[] paneKeys, long paneSeen) {
            keys[d] = paneKeys;
            sizes[d] = paneKeys.length;
            seen[d] = paneSeen;
        }

        /** The k-th smallest key of panes [0, m), or NaN when they hold k keys or fewer (nothing to cut). */
        double kthSmallest(int m, int k) {
            long total = 0;
            long seenSum = 0;
            double smallest = Double.POSITIVE_INFINITY;
            double largest = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                int n = sizes[j];
                total += n;
                seenSum += seen[j];
                above[j] = 0;
                below[j] = n;
                if (n > 0) {
                    largest = Math.max(largest, keys[j][0]);
                    smallest = Math.min(smallest, keys[j][n - 1]);
                }
            }
            if (total <= k) {
                return Double.NaN;
            }
            // the answer lies in (lo, hi]: countLo keys are at or below lo (none at first), countHi at or below hi
            double lo = Double.NEGATIVE_INFINITY;
            double hi = Double.POSITIVE_INFINITY;
            long countLo = 0;
            long countHi = total;
            double spread = 2 * Math.sqrt(k);
            for (int probes = 0; countHi - countLo > FEW && probes < MAX_PROBES; probes++) {
                double x;
                if (probes < 2 && seenSum > 0) {
                    // where the ranks k - 2 sqrt(k) and k + 2 sqrt(k) fall among uniform keys
                    x = (probes == 0 ? k - spread : k + spread) / seenSum;
                } else if (probes % 3 == 2) {
                    x = (finite(lo, smallest) + finite(hi, largest)) / 2;
                } else {
                    double l = finite(lo, smallest);
                    double h = finite(hi, largest);
                    x = l + (h - l) * ((k - countLo) / (double) (countHi - countLo));
                }
                if (!(x > lo && x < hi)) {
                    x = (finite(lo, smallest) + finite(hi, largest)) / 2;
                    if (!(x > lo && x < hi)) {
                        if (probes < 2) {
                            continue;
                        }
                        break;
                    }
                }
                long count = countAtOrBelow(m, x);
                if (count >= k) {
                    hi = x;
                    countHi = count;
                    System.arraycopy(probe, 0, above, 0, m);
                } else {
                    lo = x;
                    countLo = count;
                    System.arraycopy(probe, 0, below, 0, m);
                }
            }
            // the keys in (lo, hi]: the answer is the (k - countLo)-th smallest of them
            int g = 0;
            if (scratch.length < countHi - countLo) {
                scratch = new double[(int) (countHi - countLo)];
            }
            for (int j = 0; j < m; j++) {
                System.arraycopy(keys[j], above[j], scratch, g, below[j] - above[j]);
                g += below[j] - above[j];
            }
            return smallest(scratch, g, (int) (k - countLo));
        }

        /**
         * A bound at or above the k-th smallest key of panes [0, m), or NaN when they hold k keys or fewer: any such
         * bound cuts pane m - 1 exactly (a bound above the k-th only keeps a few more keys). One probe where about
         * k + 2 sqrt(k) uniform keys fall usually counts k or more, and is then the bound; else the exact k-th
         * ({@link #kthSmallest}). {@link #countAtOrBelowBound} then counts at the bound returned.
         */
        double cutBound(int m, int k) {
            long total = 0;
            long seenSum = 0;
            for (int j = 0; j < m; j++) {
                total += sizes[j];
                seenSum += seen[j];
                above[j] = 0;
                below[j] = sizes[j];
            }
            if (total <= k) {
                return Double.NaN;
            }
            if (seenSum > 0) {
                double x = (k + 2 * Math.sqrt(k)) / seenSum;
                if (countAtOrBelow(m, x) >= k) {
                    // where x cuts each pane: the count at the bound without another search
                    System.arraycopy(probe, 0, above, 0, m);
                    System.arraycopy(probe, 0, below, 0, m);
                    return x;
                }
            }
            return kthSmallest(m, k);
        }

        // keys of panes [0, m) at or below x, which lies in the interval in question; probe[j] = where pane j cuts
        private long countAtOrBelow(int m, double x) {
            long count = 0;
            for (int j = 0; j < m; j++) {
                probe[j] = firstAtOrBelow(keys[j], above[j], below[j], x);
                count += sizes[j] - probe[j];
            }
            return count;
        }

        /** After {@link #kthSmallest}: how many keys of pane j are at or below the bound it returned. */
        int countAtOrBelowBound(int j, double bound) {
            return sizes[j] - firstAtOrBelow(keys[j], above[j], below[j], bound);
        }

        private static double finite(double x, double otherwise) {
            return Double.isInfinite(x) ? otherwise : x;
        }
    }

    /**
     * The first index in keys[lo, hi) (descending) whose key is at or below x, hi if none. Stored panes are read from
     * memory, not from a cache (the pane stage streams Kafka's data through it between two slides), so this guesses
     * where x falls among evenly spread keys and widens a bracket around the guess: two or three cache lines per
     * pane where a binary search reads about ten. Any keys give the right index; only the speed depends on them.
     */
    static int firstAtOrBelow(double[] keys, int lo, int hi, double x) {
        if (lo >= hi || keys[lo] <= x) {
            return lo;
        }
        if (keys[hi - 1] > x) {
            return hi;
        }
        // keys[lo] > x >= keys[hi - 1]: the answer is in (lo, hi - 1]
        double top = keys[lo];
        double bottom = keys[hi - 1];
        double share = (top - x) / (top - bottom);
        int guess = lo + (int) (share * (hi - 1 - lo));
        guess = guess <= lo ? lo + 1 : Math.min(guess, hi - 1);
        // (a, b]: keys[a] > x and keys[b] <= x
        int a;
        int b;
        if (keys[guess] > x) {
            a = guess;
            int step = 1;
            b = Math.min(hi - 1, a + step);
            while (keys[b] > x) {
                a = b;
                step <<= 1;
                b = Math.min(hi - 1, a + step);
            }
        } else {
            b = guess;
            int step = 1;
            a = Math.max(lo, b - step);
            while (keys[a] <= x) {
                b = a;
                step <<= 1;
                a = Math.max(lo, b - step);
            }
        }
        while (b - a > 1) {
            int mid = (a + b) >>> 1;
            if (keys[mid] > x) {
                a = mid;
            } else {
                b = mid;
            }
        }
        return b;
    }

    // the rank-th smallest (1-based) of values[0, n), which it reorders
    private static double smallest(double[] values, int n, int rank) {
        int lo = 0;
        int hi = n - 1;
        int target = rank - 1;
        while (lo < hi) {
            double pivot = values[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = values[i];
                    values[i] = values[j];
                    values[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return values[target];
            }
        }
        return values[target];
    }

}
