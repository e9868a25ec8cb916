package dev.driftwatch.stats;

import java.util.Arrays;

/**
 * A seeded, mergeable uniform sample of at most k doubles. Every offered value carries a uniform random key
 * and the reservoir keeps the k values with the smallest keys; adds skip ahead as Algorithm L does, and a
 * merge keeps the k smallest keys of both, which is a uniform sample of the union of the two streams.
 * A POJO (public no-arg constructor, getters and setters) so Flink serializes it without Kryo.
 *
 * <p>How the keys make Algorithm L exact: once k values are held, W (the {@code threshold}) is the largest held
 * key. The next value to enter is the first one whose key falls below W; the number of values skipped before it is
 * geometric with success probability W, and its key is uniform on (0, W). So an add draws one skip, counts values
 * down, and at the chosen one draws its key as W * U, replaces the held value with the largest key (a max-heap on
 * the keys) and draws the next skip. The held set is at every point the k smallest keys of everything seen, so two
 * reservoirs merge by keeping the k smallest keys of both held sets: values from a busy pane win as often as their
 * count says (a weighted merge). A pending skip is redrawn after a merge; that is allowed because a skip only
 * stands for keys of values not yet seen.
 *
 * <p>Reservoirs that are merged must have different seeds (see {@link #deriveSeed}): equal seeds give equal keys
 * to the i-th values of both streams, and the union is no longer sampled uniformly. The same values offered in
 * the same order with the same seed always give the same sample. The random numbers are SplitMix64, whose whole
 * state is the one long {@code rngState}.
 */
public class Reservoir {
    private static final int INITIAL_STORAGE = 16;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private int capacity;
    private int size;
    private long seen;
    // held values and their keys over [0, size), the largest key first once k are held (a max-heap for add());
    // grown up to capacity on demand
    private double[] values;
    private double[] keys;
    // the largest held key once size == capacity (1.0 before: every value enters)
    private double threshold = 1.0;
    // values still to pass over before the next one enters (used once full)
    private long skip;
    private long rngState;
    // offer(): candidates with keys below the threshold, not yet held, kept after the held ones in the same arrays at
    // [size, size + pending); when the arrays (2k long then) are full, the k smallest are selected in place (a
    // sift-down per candidate, and copying for each selection, were a quarter of the pane stage's time)
    private int pending;
    // whether [0, size) is a max-heap on the keys: add() needs one, offer() and merge() do not and only keep the
    // largest key first once k are held (a heap kept by every offered candidate was a tenth of the pane stage's
    // time). Not serialized: a restored reservoir is heapified by its first add().
    private transient boolean heapOrdered;
    // whether [0, size) is sorted by key, largest first (sortByKeyDescending, and nothing changed since): the window
    // stage asks for every stored pane at every window, and a scan of each was memory traffic over all of its
    // state. Not serialized: a restored or received reservoir is checked once.
    private transient boolean keySorted;

    /** For serializers; set every field before use. */
    public Reservoir() {}

    /**
     * An empty reservoir of at most {@code capacity} values.
     *
     * @throws IllegalArgumentException if capacity < 1
     */
    public Reservoir(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("reservoir capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.values = new double[Math.min(capacity, INITIAL_STORAGE)];
        this.keys = new double[values.length];
        // mixed so that seeds that differ by the SplitMix64 increment do not give shifted copies of one stream
        this.rngState = mix64(seed ^ 0x5DEECE66DL);
    }

    /** A seed for one of several reservoirs that will be merged, e.g. deriveSeed(jobSeed, paneStart ^ subtask). */
    public static long deriveSeed(long seed, long salt) {
        return mix64(seed + GOLDEN_GAMMA * (salt + 1));
    }

    public void add(double value) {
        seen++;
        keySorted = false;
        if (pending > 0) {
            // candidates a merge left buffered: select them, and redraw the skip against the lower threshold
            selectHeld();
            skip = drawSkip();
        }
        if (!heapOrdered) {
            heapify();
            heapOrdered = true;
        }
        if (size < capacity) {
            insert(value, nextUniform());
            if (size == capacity) {
                threshold = keys[0];
                skip = drawSkip();
            }
            return;
        }
        if (skip > 0) {
            skip--;
            return;
        }
        replaceLargest(value, threshold * nextUniform());
        threshold = keys[0];
        skip = drawSkip();
    }

    /**
     * Offers a value with an explicit key in [0, 1) instead of a drawn one: kept when its key is among the k
     * smallest. The streaming job derives keys from event ids, so a window's sample does not depend on the order
     * in which partitions interleave, nor on the parallelism. Do not mix with {@link #add} on one reservoir.
     */
    public void offer(double value, double key) {
        seen++;
        admit(value, key);
    }

    // keeps (value, key) if its key can be among the k smallest: held directly until k are held, then buffered as a
    // candidate below the threshold; every k candidates the k smallest of all are selected
    private void admit(double value, double key) {
        keySorted = false;
        if (size < capacity) {
            append(value, key);
            if (size == capacity) {
                moveLargestFirst();
                threshold = keys[0];
            }
            return;
        }
        int at = size + pending;
        if (at == keys.length) {
            keys = Arrays.copyOf(keys, 2 * capacity);
            values = Arrays.copyOf(values, 2 * capacity);
        }
        // written either way and counted only below the threshold: no branch to mispredict on the key
        keys[at] = key;
        values[at] = value;
        pending += key < threshold ? 1 : 0;
        if (pending == capacity) {
            selectHeld();
        }
    }

    /**
     * Moves the candidates {@link #offer} has buffered into the held set (the k smallest keys of both) and shrinks
     * the storage to k. Every method that reads the sample does this first; call it before handing the reservoir to
     * a serializer, which copies fields as they are (a pending buffer is kept correctly, but takes room).
     */
    public void compact() {
        if (pending > 0) {
            selectHeld();
        }
        if (keys != null && keys.length > capacity) {
            keys = Arrays.copyOf(keys, capacity);
            values = Arrays.copyOf(values, capacity);
        }
    }

    // the k smallest of the held values and the pending candidates, in place, the largest of them first
    private void selectHeld() {
        int n = size + pending;
        int kept = Math.min(capacity, n);
        size = kept;
        pending = 0;
        if (kept < n) {
            selectSmallest(keys, values, n, kept, threshold);
            // the selection leaves the k-th smallest key at k - 1
            swap(0, kept - 1);
        } else {
            moveLargestFirst();
        }
        heapOrdered = false;
        if (size == capacity) {
            threshold = keys[0];
        }
    }

    private void moveLargestFirst() {
        int largest = 0;
        for (int i = 1; i < size; i++) {
            if (keys[i] > keys[largest]) {
                largest = i;
            }
        }
        swap(0, largest);
        heapOrdered = false;
    }

    private void swap(int i, int j) {
        swapEntries(keys, values, i, j);
    }

    // afterwards the first k entries hold the k smallest keys, the k-th smallest at k - 1, values moved along. Every
    // key is in [0, high]. Keys are hashes, spread evenly, so the key of the wanted rank is about where that rank falls
    // in the keys' range: pivots placed there (interpolation) cut the range to a sliver in a few passes, where the
    // median of three would take more; after four such passes (or once the range is small) an ordinary quickselect
    // finishes, so keys that are not spread evenly cost at most those passes. The result does not depend on how the
    // pivots fall: only the speed does.
    private static void selectSmallest(double[] keys, double[] values, int n, int k, double high) {
        int lo = 0;
        int hi = n - 1;
        double low = 0;
        for (int round = 0; round < 4 && hi - lo > 32 && high > low; round++) {
            double pivot = low + (high - low) * ((k - lo) / (double) (hi - lo + 1));
            int i = lo;
            int j = hi;
            while (true) {
                while (i <= j && keys[i] < pivot) {
                    i++;
                }
                while (i <= j && keys[j] >= pivot) {
                    j--;
                }
                if (i >= j) {
                    break;
                }
                swapEntries(keys, values, i, j);
                i++;
                j--;
            }
            // now keys[lo, i) < pivot <= keys[i, hi]
            if (k - 1 < i) {
                hi = i - 1;
                high = pivot;
            } else {
                lo = i;
                low = pivot;
            }
        }
        quickselect(keys, values, lo, hi, k);
    }

    // quickselect on [lo, hi] with the median of three as the pivot
    private static void quickselect(double[] keys, double[] values, int lo, int hi, int k) {
        while (lo < hi) {
            double pivot = medianOfThree(keys, lo, hi);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swapEntries(keys, values, i, j);
                    i++;
                    j--;
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static double medianOfThree(double[] keys, int lo, int hi) {
        double a = keys[lo];
        double b = keys[(lo + hi) >>> 1];
        double c = keys[hi];
        return a < b ? (b < c ? b : Math.max(a, c)) : (a < c ? a : Math.max(b, c));
    }

    private static void swapEntries(double[] keys, double[] values, int i, int j) {
        double t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
        t = values[i];
        values[i] = values[j];
        values[j] = t;
    }

    private void heapify() {
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private void siftDown(int i) {
        double key = keys[i];
        double value = values[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] > keys[child]) {
                child++;
            }
            if (keys[child] <= key) {
                break;
            }
            keys[i] = keys[child];
            values[i] = values[child];
            i = child;
        }
        keys[i] = key;
        values[i] = value;
    }

    /**
     * Merges other into this (this keeps its own capacity); other is left unchanged.
     *
     * @throws IllegalArgumentException if other is this, or other has a smaller capacity and has already dropped
     *     values (its sample of its stream is then too small to be part of a uniform sample of k from the union)
     */
    public void merge(Reservoir other) {
        if (other == this) {
            throw new IllegalArgumentException("a reservoir cannot be merged into itself");
        }
        other.compact();
        keySorted = false;
        if (other.capacity < capacity && other.seen > other.size) {
            throw new IllegalArgumentException("cannot merge a reservoir of capacity " + other.capacity
                    + " that has dropped values into one of capacity " + capacity);
        }
        if (size == 0 && pending == 0 && other.size > 0 && other.size <= capacity) {
            // into an empty reservoir (a window's first pane): the other's heap is already one
            keys = Arrays.copyOf(other.keys, Math.max(other.size, Math.min(capacity, INITIAL_STORAGE)));
            values = Arrays.copyOf(other.values, keys.length);
            size = other.size;
            heapOrdered = false;
        } else {
            // candidates are buffered as offer() does, so merging a window's panes costs a selection per k values
            // that can enter, not a heap replacement per value (which was most of the window stage's time)
            for (int i = 0; i < other.size; i++) {
                admit(other.values[i], other.keys[i]);
            }
        }
        seen += other.seen;
        if (size == capacity) {
            threshold = keys[0];
            skip = drawSkip();
        }
    }

    /**
     * The largest held key: with {@code size() == capacity} the k-th smallest key of everything offered, the
     * bound past which no value can enter; NaN when empty.
     */
    public double largestKey() {
        compact();
        if (size == 0) {
            return Double.NaN;
        }
        double largest = keys[0];
        for (int i = 1; i < size; i++) {
            largest = Math.max(largest, keys[i]);
        }
        return largest;
    }

    /**
     * Sorts the held values by key, largest first. A descending array is still a valid max-heap, so the reservoir
     * works as before; the window stage keeps stored pane samples this way ({@link PaneSampleMerge}).
     *
     * @return true when the order changed
     */
    public boolean sortByKeyDescending() {
        compact();
        if (keySorted) {
            return false;
        }
        keySorted = true;
        for (int i = 1; i < size; i++) {
            if (keys[i] > keys[i - 1]) {
                if (!bucketSortDescending()) {
                    sortDescending(keys, values, 0, size - 1);
                }
                return true;
            }
        }
        return false;
    }

    // Keys are hashes, spread evenly over [0, largest]: one bucket per entry by key, then an insertion sort that
    // only moves entries within their few-entry bucket; about four passes, where a quicksort takes some log2(n).
    // Returns false (nothing changed) when the keys bunch up, for the quicksort to do it.
    private boolean bucketSortDescending() {
        int n = size;
        double largest = 0;
        double smallest = 0;
        for (int i = 0; i < n; i++) {
            largest = Math.max(largest, keys[i]);
            smallest = Math.min(smallest, keys[i]);
        }
        if (n < 64 || smallest < 0 || !(largest > 0) || Double.isInfinite(largest)) {
            return false;
        }
        double scale = n / largest;
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) {
            start[bucket(keys[i], scale, n)]++;
        }
        // buckets from the largest keys down, so the result is descending; a bunched bucket makes it not worth it
        int at = 0;
        for (int b = n - 1; b >= 0; b--) {
            int count = start[b];
            if (count > 32) {
                return false;
            }
            start[b] = at;
            at += count;
        }
        double[] sortedKeys = new double[keys.length];
        double[] sortedValues = new double[values.length];
        for (int i = 0; i < n; i++) {
            int to = start[bucket(keys[i], scale, n)]++;
            sortedKeys[to] = keys[i];
            sortedValues[to] = values[i];
        }
        for (int i = 1; i < n; i++) {
            double key = sortedKeys[i];
            double value = sortedValues[i];
            int j = i - 1;
            while (j >= 0 && sortedKeys[j] < key) {
                sortedKeys[j + 1] = sortedKeys[j];
                sortedValues[j + 1] = sortedValues[j];
                j--;
            }
            sortedKeys[j + 1] = key;
            sortedValues[j + 1] = value;
        }
        keys = sortedKeys;
        values = sortedValues;
        return true;
    }

    // the bucket of a key in [0, largest] among n even buckets, scale = n / largest
    private static int bucket(double key, double scale, int n) {
        return Math.min(n - 1, (int) (key * scale));
    }

    /**
     * The held keys and their values, sorted by key, largest first, in arrays exactly {@link #size()} long:
     * {@code {keys, values}}, as the window stage stores a pane ({@link PaneSampleMerge}). They may be this
     * reservoir's own storage: use the reservoir no more after.
     */
    public double[][] keysAndValuesSortedDescending() {
        sortByKeyDescending();
        if (size == 0) {
            return new double[][] {new double[0], new double[0]};
        }
        return new double[][] {
                keys.length == size ? keys : Arrays.copyOf(keys, size),
                values.length == size ? values : Arrays.copyOf(values, size)};
    }

    /**
     * A reservoir of at most {@code capacity} values holding keys sorted largest first and their values, as
     * {@link #keysAndValuesSortedDescending} gives them, of a stream of {@code seen} values (taken over, not copied):
     * a stored pane again, to be merged with another part of it.
     */
    public static Reservoir ofSortedDescending(int capacity, double[] keys, double[] values, long seen) {
        Reservoir r = ofHeld(capacity, values, keys, keys.length, seen);
        r.keySorted = true;
        return r;
    }

    /** A reservoir holding the given values and keys (at most capacity; taken over, not copied). */
    static Reservoir ofHeld(int capacity, double[] values, double[] keys, int n, long seen) {
        Reservoir r = new Reservoir(capacity, 0);
        r.values = values;
        r.keys = keys;
        r.size = n;
        r.seen = seen;
        if (n > 0) {
            // the largest key first is all merge() and offer() need; add() builds a heap on demand
            r.moveLargestFirst();
        }
        if (n == capacity) {
            r.threshold = keys[0];
            r.skip = r.drawSkip();
        }
        return r;
    }

    // quicksort of keys (values moved along), largest first
    private static void sortDescending(double[] keys, double[] values, int lo, int hi) {
        while (hi - lo > 16) {
            double pivot = medianOfThree(keys, lo, hi);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] > pivot) {
                    i++;
                }
                while (keys[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    swapEntries(keys, values, i, j);
                    i++;
                    j--;
                }
            }
            // the smaller side by recursion, the larger by the loop: stack depth stays logarithmic
            if (j - lo < hi - i) {
                sortDescending(keys, values, lo, j);
                lo = i;
            } else {
                sortDescending(keys, values, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            double key = keys[i];
            double value = values[i];
            int j = i - 1;
            while (j >= lo && keys[j] < key) {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = key;
            values[j + 1] = value;
        }
    }

    /** An independent copy with the same state (same future samples for the same future input). */
    public Reservoir copy() {
        compact();
        Reservoir copy = new Reservoir();
        copy.capacity = capacity;
        copy.size = size;
        copy.seen = seen;
        copy.values = values == null ? null : values.clone();
        copy.keys = keys == null ? null : keys.clone();
        copy.threshold = threshold;
        copy.skip = skip;
        copy.rngState = rngState;
        return copy;
    }

    /** Number of values offered to this reservoir and to every reservoir merged into it. */
    public long seen() {
        return seen;
    }

    /** Number of values held: min(k, seen). */
    public int size() {
        compact();
        return size;
    }

    /** A copy of the held values, in no particular order. */
    public double[] values() {
        compact();
        return size == 0 ? new double[0] : Arrays.copyOf(values, size);
    }

    /** A copy of the held values sorted ascending, ready for {@link KolmogorovSmirnov#testSorted}. */
    public double[] sortedValues() {
        double[] sorted = values();
        Arrays.sort(sorted);
        return sorted;
    }

    // --- POJO accessors (Flink's PojoSerializer); the arrays are the internal storage, not copies ---

    public int getCapacity() {
        return capacity;
    }

    public void setCapacity(int capacity) {
        this.capacity = capacity;
    }

    public int getSize() {
        return size;
    }

    public void setSize(int size) {
        keySorted = false;
        this.size = size;
    }

    public long getSeen() {
        return seen;
    }

    public void setSeen(long seen) {
        this.seen = seen;
    }

    public double[] getValues() {
        return values;
    }

    public void setValues(double[] values) {
        keySorted = false;
        this.values = values;
    }

    public double[] getKeys() {
        return keys;
    }

    public void setKeys(double[] keys) {
        keySorted = false;
        this.keys = keys;
    }

    public double getThreshold() {
        return threshold;
    }

    public void setThreshold(double threshold) {
        this.threshold = threshold;
    }

    public long getSkip() {
        return skip;
    }

    public void setSkip(long skip) {
        this.skip = skip;
    }

    public long getRngState() {
        return rngState;
    }

    public int getPending() {
        return pending;
    }

    public void setPending(int pending) {
        this.pending = pending;
    }

    public void setRngState(long rngState) {
        this.rngState = rngState;
    }

    @Override
    public String toString() {
        return "Reservoir{capacity=" + capacity + ", size=" + size + ", seen=" + seen + "}";
    }

    private void growIfFull() {
        if (values == null || size == values.length) {
            int grown = Math.min(capacity, Math.max(INITIAL_STORAGE, size * 2));
            values = values == null ? new double[grown] : Arrays.copyOf(values, grown);
            keys = keys == null ? new double[grown] : Arrays.copyOf(keys, grown);
        }
    }

    private void append(double value, double key) {
        growIfFull();
        keys[size] = key;
        values[size++] = value;
        heapOrdered = false;
    }

    private void insert(double value, double key) {
        growIfFull();
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] >= key) {
                break;
            }
            keys[i] = keys[parent];
            values[i] = values[parent];
            i = parent;
        }
        keys[i] = key;
        values[i] = value;
    }

    private void replaceLargest(double value, double key) {
        if (size == 0) {
            // only reachable with capacity 0: a no-arg instance whose fields were never set
            throw new IllegalStateException("reservoir has capacity 0; create it with new Reservoir(capacity, seed)");
        }
        keys[0] = key;
        values[0] = value;
        siftDown(0);
    }

    // values passed over before the next key below W: geometric, P(skip = s) = (1 - W)^s W
    private long drawSkip() {
        double skipped = Math.floor(Math.log(nextUniform()) / Math.log1p(-threshold));
        return skipped >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) skipped;
    }

    // uniform on the open interval (0, 1), 53 random bits
    private double nextUniform() {
        rngState += GOLDEN_GAMMA;
        return ((mix64(rngState) >>> 11) + 0.5) * 0x1.0p-53;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
