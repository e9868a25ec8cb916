package dev.driftwatch.profile;

import dev.driftwatch.stats.PaneSampleMerge;
import dev.driftwatch.stats.Reservoir;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * The panes stage 2 keeps for one (model, version, feature) between its windows: one state value of a few flat
 * arrays, oldest pane first, that a window reads and writes once. With RocksDB that is one get and one put, where a
 * map with an entry per pane read and deserialized every entry at every window; on the heap it is a few arrays,
 * where a pane record, its sample and its bin counts were each an object of their own to fetch from memory. A
 * pane's sample is kept sorted by key, largest first, and cut to the keys later windows can need
 * ({@link PaneSampleMerge}); its bin counts and counts are kept whole.
 *
 * <p>A Flink POJO (public fields, no-arg constructor): serialized without Kryo.
 */
public class StoredPanes {
    public String model;
    public String modelVersion;
    public String feature;
    /** The fingerprints of the baselines the panes were counted on (mostly one), and those baselines' versions. */
    public String[] baselines = new String[0];
    public String[] baselineVersions = new String[0];
    /** Per pane, oldest first: its start, which of {@link #baselines} it was counted on, its counts. */
    public long[] starts = new long[0];
    public int[] baselineOf = new int[0];
    public long[] counts = new long[0];
    public long[] missing = new long[0];
    /** Per pane: how many values its sample saw (0 without a sample). */
    public long[] seen = new long[0];
    /** Pane i's bin (or category) counts are {@code cells[cellsFrom[i], cellsFrom[i + 1])}. */
    public int[] cellsFrom = {0};
    public long[] cells = new long[0];
    /** Per pane: its sample's keys, largest first, and their values, exactly as long as it holds; null without one. */
    public double[][] keys = new double[0][];
    public double[][] values = new double[0][];

    public StoredPanes() {}

    public int size() {
        return starts.length;
    }

    /** The index of the pane that starts at {@code start}, or -1. */
    public int indexOf(long start) {
        int i = Arrays.binarySearch(starts, start);
        return i >= 0 ? i : -1;
    }

    /** The fingerprint of the baseline pane i was counted on. */
    public String baselineOf(int i) {
        return baselines[baselineOf[i]];
    }

    /** How many sample values pane i holds. */
    public int sampleSize(int i) {
        return keys[i] == null ? 0 : keys[i].length;
    }

    /**
     * Adds a pane that has been counted whole (its sample is sorted here, once). A part of a pane already kept (a
     * reader that was idle sends it after its window) is merged into it when both were counted on the same
     * baseline, else it replaces it (a baseline changed mid-pane: the later part's counts are kept). Merging into a
     * cut pane stays exact: the part's keys can only lower what later windows need.
     */
    public void add(PaneProfile pane) {
        if (model == null) {
            model = pane.model;
            modelVersion = pane.modelVersion;
            feature = pane.feature;
        }
        int i = Arrays.binarySearch(starts, pane.paneStart);
        if (i < 0) {
            insert(-i - 1, pane);
            return;
        }
        PaneProfile kept = pane(i, pane.sample == null ? 1 : pane.sample.getCapacity());
        if (kept.baselineFingerprint.equals(pane.baselineFingerprint)) {
            FeatureProfile.mergeInto(kept, pane);
            pane = kept;
        }
        remove(i);
        insert(i, pane);
    }

    /**
     * Merges the panes that start in [windowStart, windowEnd) and were counted on the window's baseline into
     * {@code window}: their counts, and the exact k smallest keys of their samples. Cuts the samples of all panes in
     * that range to what later windows can need (panes of another baseline among themselves).
     */
    public void mergeWindow(FeatureProfile window, long windowStart, long windowEnd, int k) {
        int lo = firstAtOrAfter(windowStart);
        int hi = firstAtOrAfter(windowEnd);
        String fingerprint = window.baseline().fingerprint();
        for (int g = 0; g < baselines.length; g++) {
            int[] newestFirst = new int[hi - lo];
            int w = 0;
            boolean counted = baselines[g].equals(fingerprint);
            for (int i = hi - 1; i >= lo; i--) {
                if (baselineOf[i] != g) {
                    continue;
                }
                if (counted) {
                    window.mergeCounts(cells, cellsFrom[i], counts[i], missing[i]);
                }
                if (keys[i] != null) {
                    newestFirst[w++] = i;
                }
            }
            if (w == 0) {
                continue;
            }
            double[][] k2 = new double[w][];
            double[][] v2 = new double[w][];
            long[] s2 = new long[w];
            for (int j = 0; j < w; j++) {
                k2[j] = keys[newestFirst[j]];
                v2[j] = values[newestFirst[j]];
                s2[j] = seen[newestFirst[j]];
            }
            Reservoir merged = PaneSampleMerge.mergeNewestFirst(k2, v2, s2, w, k);
            for (int j = 0; j < w; j++) {
                keys[newestFirst[j]] = k2[j];
                values[newestFirst[j]] = v2[j];
            }
            if (counted) {
                window.mergeSample(merged);
            }
        }
    }

    /** Drops the panes that start before {@code start}, and the baselines no pane left was counted on. */
    public void dropBefore(long start) {
        int n = firstAtOrAfter(start);
        if (n == 0) {
            return;
        }
        int left = size() - n;
        int cellsAt = cellsFrom[n];
        starts = Arrays.copyOfRange(starts, n, n + left);
        baselineOf = Arrays.copyOfRange(baselineOf, n, n + left);
        counts = Arrays.copyOfRange(counts, n, n + left);
        missing = Arrays.copyOfRange(missing, n, n + left);
        seen = Arrays.copyOfRange(seen, n, n + left);
        keys = Arrays.copyOfRange(keys, n, n + left);
        values = Arrays.copyOfRange(values, n, n + left);
        cells = Arrays.copyOfRange(cells, cellsAt, cells.length);
        int[] from = new int[left + 1];
        for (int i = 0; i <= left; i++) {
            from[i] = cellsFrom[n + i] - cellsAt;
        }
        cellsFrom = from;
        dropUnusedBaselines();
    }

    /**
     * Pane i as a pane record: copies of its counts, its sample as a reservoir of at most {@code capacity} values
     * over the stored arrays.
     */
    PaneProfile pane(int i, int capacity) {
        PaneProfile p = new PaneProfile();
        p.model = model;
        p.modelVersion = modelVersion;
        p.feature = feature;
        p.baselineFingerprint = baselines[baselineOf[i]];
        p.baselineVersion = baselineVersions[baselineOf[i]];
        p.paneStart = starts[i];
        p.count = counts[i];
        p.missing = missing[i];
        p.cells = Arrays.copyOfRange(cells, cellsFrom[i], cellsFrom[i + 1]);
        if (keys[i] != null) {
            p.sample = Reservoir.ofSortedDescending(Math.max(capacity, keys[i].length), keys[i], values[i], seen[i]);
        }
        return p;
    }

    private void insert(int at, PaneProfile pane) {
        int n = size();
        int b = baselineIndex(pane.baselineFingerprint, pane.baselineVersion);
        double[][] sample = pane.sample == null ? null : pane.sample.keysAndValuesSortedDescending();
        starts = widened(starts, at);
        starts[at] = pane.paneStart;
        baselineOf = widened(baselineOf, at);
        baselineOf[at] = b;
        counts = widened(counts, at);
        counts[at] = pane.count;
        missing = widened(missing, at);
        missing[at] = pane.missing;
        seen = widened(seen, at);
        seen[at] = pane.sample == null ? 0 : pane.sample.seen();
        keys = widened(keys, at);
        keys[at] = sample == null ? null : sample[0];
        values = widened(values, at);
        values[at] = sample == null ? null : sample[1];
        int cellsAt = cellsFrom[at];
        long[] c = new long[cells.length + pane.cells.length];
        System.arraycopy(cells, 0, c, 0, cellsAt);
        System.arraycopy(pane.cells, 0, c, cellsAt, pane.cells.length);
        System.arraycopy(cells, cellsAt, c, cellsAt + pane.cells.length, cells.length - cellsAt);
        cells = c;
        int[] from = new int[n + 2];
        for (int i = 0; i <= n + 1; i++) {
            from[i] = i <= at ? cellsFrom[i] : cellsFrom[i - 1] + pane.cells.length;
        }
        cellsFrom = from;
    }

    private void remove(int at) {
        int n = size();
        int width = cellsFrom[at + 1] - cellsFrom[at];
        starts = without(starts, at);
        baselineOf = without(baselineOf, at);
        counts = without(counts, at);
        missing = without(missing, at);
        seen = without(seen, at);
        keys = without(keys, at);
        values = without(values, at);
        long[] c = new long[cells.length - width];
        System.arraycopy(cells, 0, c, 0, cellsFrom[at]);
        System.arraycopy(cells, cellsFrom[at + 1], c, cellsFrom[at], cells.length - cellsFrom[at + 1]);
        cells = c;
        int[] from = new int[n];
        for (int i = 0; i < n; i++) {
            from[i] = i <= at ? cellsFrom[i] : cellsFrom[i + 1] - width;
        }
        cellsFrom = from;
        dropUnusedBaselines();
    }

    private int baselineIndex(String fingerprint, String version) {
        for (int b = 0; b < baselines.length; b++) {
            if (baselines[b].equals(fingerprint)) {
                return b;
            }
        }
        baselines = Arrays.copyOf(baselines, baselines.length + 1);
        baselineVersions = Arrays.copyOf(baselineVersions, baselineVersions.length + 1);
        baselines[baselines.length - 1] = fingerprint;
        baselineVersions[baselineVersions.length - 1] = version;
        return baselines.length - 1;
    }

    private void dropUnusedBaselines() {
        boolean[] used = new boolean[baselines.length];
        for (int b : baselineOf) {
            used[b] = true;
        }
        int[] renumbered = new int[baselines.length];
        int kept = 0;
        for (int b = 0; b < baselines.length; b++) {
            if (used[b]) {
                baselines[kept] = baselines[b];
                baselineVersions[kept] = baselineVersions[b];
                renumbered[b] = kept++;
            }
        }
        if (kept == baselines.length) {
            return;
        }
        baselines = Arrays.copyOf(baselines, kept);
        baselineVersions = Arrays.copyOf(baselineVersions, kept);
        for (int i = 0; i < baselineOf.length; i++) {
            baselineOf[i] = renumbered[baselineOf[i]];
        }
    }

    // the first pane starting at or after t (size() if none)
    private int firstAtOrAfter(long t) {
        int i = Arrays.binarySearch(starts, t);
        return i >= 0 ? i : -i - 1;
    }

    // a copy of an array with a slot opened at `at`, for the caller to fill
    private static <A> A widened(A array, int at) {
        int n = Array.getLength(array);
        @SuppressWarnings("unchecked")
        A wider = (A) Array.newInstance(array.getClass().getComponentType(), n + 1);
        System.arraycopy(array, 0, wider, 0, at);
        System.arraycopy(array, at, wider, at + 1, n - at);
        return wider;
    }

    // a copy of an array without its slot `at`
    private static <A> A without(A array, int at) {
        int n = Array.getLength(array);
        @SuppressWarnings("unchecked")
        A narrower = (A) Array.newInstance(array.getClass().getComponentType(), n - 1);
        System.arraycopy(array, 0, narrower, 0, at);
        System.arraycopy(array, at + 1, narrower, at, n - at - 1);
        return narrower;
    }

    @Override
    public String toString() {
        return "StoredPanes{" + model + "/" + modelVersion + "/" + feature + ", " + size() + " panes}";
    }
}
