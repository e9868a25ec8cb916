package dev.driftwatch.stats;

import java.util.List;

/**
 * The window stage's merge of pane samples: the k smallest keys of a window's panes, and each stored pane cut down
 * to the keys a later window can still need. Exact: the same sample as merging the full panes.
 *
 * <p>Panes are merged newest first. Every later window that contains pane d also contains the panes newer than d
 * (windows end later, so they reach at least as far), so its k-th smallest key is at most the k-th smallest key of
 * panes 0..d, the largest key held right after d is merged; keys of d above it are dropped. A pane d slides old
 * then keeps about k / (d + 1) values, so a window of W panes stores about k (1 + 1/2 + ... + 1/W) values, not k W.
 *
 * <p>How it is fast: a stored pane's sample is kept sorted by key, largest first (still a valid max-heap, so it stays
 * an ordinary {@link Reservoir}), so what a pane keeps is a run of its smallest keys (a cut). Each pane's bound comes
 * from a histogram of all the panes' keys (keys are hashes, spread evenly), and only the keys in the bound's bucket
 * are compared; when keys bunch up, a heap over the panes' cuts (at most W entries) finds the largest held key
 * instead. A heap replacement per value (log k) and a re-insert per kept value when pruning were most of this
 * stage's time.
 */
public final class PaneSampleMerge {
    private PaneSampleMerge() {}

    /**
     * Merges {@code newestFirst} (samples of capacity {@code k}) into one sample of at most k, and drops from each
     * pane the keys no later window can need. Panes are sorted by key as a side effect.
     *
     * @param changed set to true at the index of every pane whose sample was sorted or cut (to be stored again)
     * @return the window's sample: the k smallest keys of all the panes
     */
    public static Reservoir mergeNewestFirst(List<Reservoir> newestFirst, int k, boolean[] changed) {
        long seen = 0;
        for (int d = 0; d < newestFirst.size(); d++) {
            Reservoir pane = newestFirst.get(d);
            if (pane.sortByKeyDescending()) {
                changed[d] = true;
            }
            seen += pane.seen();
        }
        Reservoir merged = byHistogram(newestFirst, k, changed, seen);
        return merged != null ? merged : byHeap(newestFirst, k, changed, seen);
    }

    /**
     * The same merge through a histogram of all the panes' keys (keys are hashes, spread evenly): after pane d is
     * added, the bucket holding the k-th smallest key of panes 0..d is found from the counts, and only that bucket's
     * keys are compared to place it exactly. Returns null, having changed nothing, when there is nothing to prune
     * or the keys bunch up; the heap then does it.
     */
    private static Reservoir byHistogram(List<Reservoir> newestFirst, int k, boolean[] changed, long seen) {
        int w = newestFirst.size();
        double[][] keys = new double[w][];
        int[] sizes = new int[w];
        long total = 0;
        double top = 0;
        for (int d = 0; d < w; d++) {
            keys[d] = newestFirst.get(d).getKeys();
            sizes[d] = newestFirst.get(d).size();
            total += sizes[d];
            if (sizes[d] > 0) {
                top = Math.max(top, keys[d][0]);
                if (!(keys[d][sizes[d] - 1] >= 0)) {
                    return null;
                }
            }
        }
        if (total <= k || !(top > 0) || Double.isInfinite(top)) {
            return null;
        }
        int buckets = 2 * Integer.highestOneBit((int) Math.min(1 << 20, total));
        double scale = buckets / top;
        int[] hist = new int[buckets];
        // for pane j: entries [atOrBelow[j], n) lie in buckets <= b, entries [below[j], n) in buckets < b, where b is
        // the bucket of the k-th smallest key so far; b only falls as panes are added, so both only move forward
        int[] atOrBelow = new int[w];
        int[] below = new int[w];
        int[] keep = new int[w];
        int b = buckets - 1;
        long inOrBelowB = 0;
        long held = 0;
        double bound = Double.NaN;
        double[] scratch = new double[64];
        for (int d = 0; d < w; d++) {
            double[] ks = keys[d];
            int n = sizes[d];
            for (int i = 0; i < n; i++) {
                int bucket = Reservoir.bucket(ks[i], scale, buckets);
                hist[bucket]++;
                inOrBelowB += bucket <= b ? 1 : 0;
            }
            held += n;
            keep[d] = n;
            if (held < k) {
                continue;
            }
            while (inOrBelowB - hist[b] >= k) {
                inOrBelowB -= hist[b];
                b--;
            }
            if (hist[b] > 4096) {
                return null;
            }
            int g = 0;
            if (scratch.length < hist[b]) {
                scratch = new double[Math.max(hist[b], 2 * scratch.length)];
            }
            for (int j = 0; j <= d; j++) {
                double[] kj = keys[j];
                int nj = sizes[j];
                int from = atOrBelow[j];
                while (from < nj && Reservoir.bucket(kj[from], scale, buckets) > b) {
                    from++;
                }
                int to = Math.max(below[j], from);
                while (to < nj && Reservoir.bucket(kj[to], scale, buckets) >= b) {
                    to++;
                }
                atOrBelow[j] = from;
                below[j] = to;
                System.arraycopy(kj, from, scratch, g, to - from);
                g += to - from;
            }
            bound = smallest(scratch, g, (int) (k - (inOrBelowB - hist[b])));
            // pane d keeps its keys at or below the k-th smallest of panes 0..d: no later window needs the others
            keep[d] = countAtOrBelow(ks, atOrBelow[d], n, bound);
        }
        // the window: every key at or below the k-th smallest of all (ties at it trimmed to k)
        int[] take = new int[w];
        long taken = 0;
        for (int j = 0; j < w; j++) {
            take[j] = countAtOrBelow(keys[j], atOrBelow[j], sizes[j], bound);
            taken += take[j];
        }
        for (int j = 0; j < w && taken > k; j++) {
            int n = sizes[j];
            while (take[j] > 0 && taken > k && keys[j][n - take[j]] == bound) {
                take[j]--;
                taken--;
            }
        }
        double[] windowKeys = new double[(int) taken];
        double[] windowValues = new double[(int) taken];
        int at = 0;
        for (int j = 0; j < w; j++) {
            Reservoir pane = newestFirst.get(j);
            System.arraycopy(keys[j], sizes[j] - take[j], windowKeys, at, take[j]);
            System.arraycopy(pane.getValues(), sizes[j] - take[j], windowValues, at, take[j]);
            at += take[j];
            if (keep[j] < sizes[j]) {
                pane.keepSmallestSorted(keep[j]);
                changed[j] = true;
            }
        }
        return Reservoir.ofHeld(k, windowValues, windowKeys, (int) taken, seen);
    }

    // keys [from, n) of a descending array: how many are at or below x (those before from are above it)
    private static int countAtOrBelow(double[] keys, int from, int n, double x) {
        int i = from;
        while (i < n && keys[i] > x) {
            i++;
        }
        return n - i;
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

    private static Reservoir byHeap(List<Reservoir> newestFirst, int k, boolean[] changed, long seen) {
        int w = newestFirst.size();
        double[][] keys = new double[w][];
        double[][] values = new double[w][];
        int[] sizes = new int[w];
        // cut[i]: pane i's cut[i] smallest keys are held (the last cut[i] entries of its descending arrays)
        int[] cut = new int[w];
        // max-heap of the panes by the largest key each holds: the keys beside the pane indices, so a comparison
        // reads one array (this loop was most of the merge)
        double[] heapKey = new double[w];
        int[] heapPane = new int[w];
        int heapSize = 0;
        int held = 0;
        for (int d = 0; d < w; d++) {
            Reservoir pane = newestFirst.get(d);
            double[] ks = pane.getKeys();
            int n = pane.size();
            int c = Math.min(n, k - held);
            held += c;
            // the window is full: a key of d enters while it is below the largest held key of an older pane (it is
            // above d's own held keys, which come before it)
            while (c < n && heapSize > 0 && ks[n - 1 - c] < heapKey[0]) {
                c++;
                int evicted = heapPane[0];
                if (--cut[evicted] == 0) {
                    heapSize--;
                    siftDown(heapKey, heapPane, heapSize, heapKey[heapSize], heapPane[heapSize]);
                } else {
                    siftDown(heapKey, heapPane, heapSize, keys[evicted][sizes[evicted] - cut[evicted]], evicted);
                }
            }
            if (held == k && c < n) {
                // keys above the largest held one now: no later window containing d can need them
                pane.keepSmallestSorted(c);
                changed[d] = true;
                ks = pane.getKeys();
                n = c;
            }
            keys[d] = ks;
            values[d] = pane.getValues();
            sizes[d] = n;
            cut[d] = c;
            if (c > 0) {
                siftUp(heapKey, heapPane, heapSize++, ks[n - c], d);
            }
        }
        double[] windowKeys = new double[held];
        double[] windowValues = new double[held];
        int at = 0;
        for (int d = 0; d < w; d++) {
            System.arraycopy(keys[d], sizes[d] - cut[d], windowKeys, at, cut[d]);
            System.arraycopy(values[d], sizes[d] - cut[d], windowValues, at, cut[d]);
            at += cut[d];
        }
        return Reservoir.ofHeld(k, windowValues, windowKeys, held, seen);
    }

    // puts (key, pane) at the root's place and sifts it down
    private static void siftDown(double[] heapKey, int[] heapPane, int size, double key, int pane) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            double childKey = heapKey[child];
            if (child + 1 < size && heapKey[child + 1] > childKey) {
                child++;
                childKey = heapKey[child];
            }
            if (childKey <= key) {
                break;
            }
            heapKey[i] = childKey;
            heapPane[i] = heapPane[child];
            i = child;
        }
        heapKey[i] = key;
        heapPane[i] = pane;
    }

    private static void siftUp(double[] heapKey, int[] heapPane, int i, double key, int pane) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heapKey[parent] >= key) {
                break;
            }
            heapKey[i] = heapKey[parent];
            heapPane[i] = heapPane[parent];
            i = parent;
        }
        heapKey[i] = key;
        heapPane[i] = pane;
    }
}
