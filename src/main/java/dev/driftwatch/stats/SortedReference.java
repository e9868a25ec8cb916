package dev.driftwatch.stats;

/**
 * A baseline's sorted reference sample with a table that counts its values below any point in a lookup and a step
 * or two, for KS against many windows ({@link KolmogorovSmirnov#testSorted(double[], int, SortedReference)}).
 * The range of the values is cut into as many even cells as there are values; each cell knows how many values lie
 * below its start, and the count is finished (and any rounding at a cell's border corrected) by comparing with the
 * values next to it, so counts are exact. Walking the whole reference for every window was a fifth of stage 2.
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
