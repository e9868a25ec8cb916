package dev.driftwatch.stats;

import java.util.Arrays;

/**
 * A baseline's sorted reference sample with a table that counts its values below any point in a lookup and a step
 * or two, for KS against many windows ({@link KolmogorovSmirnov#testSorted(double[], int, SortedReference)}).
 * The range of the values is cut into as many even cells as there are values; each cell knows how many values lie
 * below its start, and the count is finished (and any rounding at a cell's border corrected) by comparing with the
 * values next to it, so counts are exact. Walking the whole reference for every window was a fifth of stage 2.
 * {@link #sortByRank} sorts a window's sample by these counts (a counting sort), which also gives KS its lookups.
 */
public final class SortedReference {
    private final double[] values;
    private final double low;
    private final double scale;
    private final int lastCell;
    private final int[] belowCell;

    /**
     * @param sorted the reference values, ascending, no NaN (not copied: do not modify)
     * @throws IllegalArgumentException if empty, not sorted or holding NaN
     */
    public SortedReference(double[] sorted) {
        KolmogorovSmirnov.checkSorted(sorted, sorted.length, "reference");
        this.values = sorted;
        int n = sorted.length;
        double span = sorted[n - 1] - sorted[0];
        if (n < 2 || !(span > 0) || Double.isInfinite(span) || Double.isInfinite(n / span)) {
            // one value, all equal, or a range a double cannot cut evenly: binary search alone
            this.low = 0;
            this.scale = 0;
            this.lastCell = -1;
            this.belowCell = new int[0];
            return;
        }
        this.low = sorted[0];
        this.scale = n / span;
        this.lastCell = n - 1;
        this.belowCell = new int[n];
        int j = 0;
        for (int c = 0; c < n; c++) {
            double start = low + c / scale;
            while (j < n && sorted[j] < start) {
                j++;
            }
            belowCell[c] = j;
        }
    }

    public int size() {
        return values.length;
    }

    /** The number of reference values strictly below x (x not NaN). */
    public int countBelow(double x) {
        int n = values.length;
        if (lastCell < 0) {
            return QuantileBins.firstAtLeast(values, 0, n, x);
        }
        double cell = (x - low) * scale;
        int j = belowCell[cell <= 0 ? 0 : cell >= lastCell ? lastCell : (int) cell];
        // a few steps from the cell's start; many equal values in one cell go to a binary search
        for (int steps = 0; j < n && values[j] < x; steps++) {
            if (steps == 8) {
                return QuantileBins.firstAtLeast(values, j, n, x);
            }
            j++;
        }
        for (int steps = 0; j > 0 && values[j - 1] >= x; steps++) {
            if (steps == 8) {
                return QuantileBins.firstAtLeast(values, 0, j, x);
            }
            j--;
        }
        return j;
    }

    /**
     * Sorts {@code values[0, n)} ascending in place and sets {@code below[i] = countBelow(values[i])}: each value is
     * placed by its count (a counting sort over the gaps between reference values, one lookup each), and only values
     * in the same gap are compared. Linear in n and the reference's size for a sample drawn like the reference, where
     * a comparison sort is n log n; a gap holding many values (a sample far outside the reference) is sorted as usual.
     *
     * @throws IllegalArgumentException if a value is NaN
     */
    public void sortByRank(double[] values, int n, int[] below) {
        int m = this.values.length;
        // below[i] holds values[i]'s count until the values are placed; ends[r + 1] counts the values of rank r,
        // then becomes where rank r's run ends
        int[] ends = new int[m + 2];
        for (int i = 0; i < n; i++) {
            double v = values[i];
            if (v != v) {
                throw new IllegalArgumentException("sample holds NaN at index " + i);
            }
            int r = countBelow(v);
            below[i] = r;
            ends[r + 1]++;
        }
        for (int r = 1; r <= m + 1; r++) {
            ends[r] += ends[r - 1];
        }
        double[] placed = new double[n];
        for (int i = 0; i < n; i++) {
            placed[ends[below[i]]++] = values[i];
        }
        // ends[r] is now where rank r's run ends, and the previous rank's end is where it starts
        int from = 0;
        for (int r = 0; r <= m; r++) {
            int to = ends[r];
            if (to - from > 24) {
                Arrays.sort(placed, from, to);
            } else {
                for (int i = from + 1; i < to; i++) {
                    double v = placed[i];
                    int j = i - 1;
                    while (j >= from && placed[j] > v) {
                        placed[j + 1] = placed[j];
                        j--;
                    }
                    placed[j + 1] = v;
                }
            }
            Arrays.fill(below, from, to, r);
            from = to;
        }
        System.arraycopy(placed, 0, values, 0, n);
    }

    /** The number of reference values at or below x, given {@code below = countBelow(x)}. */
    public int countAtOrBelow(double x, int below) {
        if (below == values.length || values[below] != x) {
            return below;
        }
        // the first value above x
        int lo = below;
        int hi = values.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
