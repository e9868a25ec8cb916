package dev.driftwatch.stats;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Two-sample Kolmogorov-Smirnov test, with the p-value as scipy.stats.ks_2samp(method='auto') computes it:
 * the exact distribution when max(n, m) <= 10000 (ties included), the asymptotic one above.
 *
 * <p>The exact p-value follows scipy 1.10.1 step by step, so both agree to about 1e-14 relative: equal sizes use the
 * alternating sum of {@code _compute_prob_outside_square} (O(n)); unequal sizes use the lattice-path recursion of
 * {@code _compute_outer_prob_inside_method}, which carries 1 - (share of paths inside the band) along a sliding
 * column (Viehmann 2021), so it neither overflows nor cancels; its cost is O(max(n, m) * band width), at most
 * O(n * m). The asymptotic p-value is {@code kstwo.sf(D, round(n*m/(n+m)))}, see {@link KolmogorovDistribution}.
 */
public final class KolmogorovSmirnov {
    /** Largest sample size for which the exact p-value is computed, as scipy's MAX_AUTO_N. */
    public static final int MAX_EXACT_N = 10_000;

    private KolmogorovSmirnov() {}

    /**
     * Tests two unsorted samples; neither array is modified.
     *
     * @throws IllegalArgumentException if a sample is empty or holds NaN
     */
    public static KsResult test(double[] a, double[] b) {
        double[] sortedA = a.clone();
        double[] sortedB = b.clone();
        Arrays.sort(sortedA);
        Arrays.sort(sortedB);
        return testSorted(sortedA, sortedA.length, sortedB, sortedB.length);
    }

    /**
     * Tests two samples already sorted ascending (saves the sort when one side, the baseline, is fixed). Only the
     * first {@code na} and {@code nb} values are read.
     *
     * @throws IllegalArgumentException if a sample is empty, holds NaN or is not sorted
     */
    public static KsResult testSorted(double[] sortedA, int na, double[] sortedB, int nb) {
        checkSorted(sortedA, na, "first");
        checkSorted(sortedB, nb, "second");

        // Walk both samples in merged order; after each distinct value v, i and j are the counts <= v, so
        // i*nb - j*na is (F_a(v) - F_b(v)) * na * nb exactly. Once one sample is used up |diff| only shrinks.
        Extremes extremes = new Extremes(na, nb);
        int i = 0;
        int j = 0;
        while (i < na && j < nb) {
            double v = Math.min(sortedA[i], sortedB[j]);
            while (i < na && sortedA[i] == v) {
                i++;
            }
            while (j < nb && sortedB[j] == v) {
                j++;
            }
            extremes.at(i, j);
        }
        return extremes.result();
    }

    /**
     * Tests a sorted sample against a fixed reference whose counts below each sample value are known
     * ({@code below[i]} = {@link SortedReference#countBelow} of {@code sortedA[i]}; {@link SortedReference#sortByRank}
     * gives both): no walk over the reference. The same statistic and p-value as {@link #testSorted}: the largest
     * F_a - F_b is found at a value of the sample, the largest F_b - F_a just before one (at the last reference value
     * below it) or at one (ties).
     *
     * @throws IllegalArgumentException if the sample is empty, holds NaN or is not sorted
     */
    public static KsResult testRanked(double[] sortedA, int[] below, int na, SortedReference b) {
        checkSorted(sortedA, na, "first");
        Extremes extremes = new Extremes(na, b.size());
        int i = 0;
        while (i < na) {
            double u = sortedA[i];
            int belowU = below[i];
            // just before u: #a < u and #b < u (the last reference value below u, or the previous sample value)
            extremes.below(i, belowU);
            while (i < na && sortedA[i] == u) {
                i++;
            }
            extremes.at(i, b.countAtOrBelow(u, belowU));
        }
        return extremes.result();
    }

    /** The largest (F_a - F_b) and (F_b - F_a) seen so far, as integers times na * nb, and where they were first seen. */
    private static final class Extremes {
        private final int na;
        private final int nb;
        private long maxPlus;
        private int plusI;
        private int plusJ;
        private long maxMinus;
        private int minusI;
        private int minusJ;

        Extremes(int na, int nb) {
            this.na = na;
            this.nb = nb;
        }

        // a point where #a <= v is i and #b <= v is j
        void at(int i, int j) {
            long diff = (long) i * nb - (long) j * na;
            if (diff > maxPlus) {
                maxPlus = diff;
                plusI = i;
                plusJ = j;
            } else {
                below(i, j);
            }
        }

        // a point where only F_b - F_a can be largest
        void below(int i, int j) {
            long minus = (long) j * na - (long) i * nb;
            if (minus > maxMinus) {
                maxMinus = minus;
                minusI = i;
                minusJ = j;
            }
        }

        KsResult result() {
            return KolmogorovSmirnov.result(na, nb, maxPlus, plusI, plusJ, maxMinus, minusI, minusJ);
        }
    }

    private static KsResult result(int na, int nb, long maxPlus, int plusI, int plusJ, long maxMinus, int minusI,
                                   int minusJ) {
        // scipy's D in floating point, the way it computes it (cdf1 - cdf2); it keeps this D on the asymptotic path.
        double dPlus = (double) plusI / na - (double) plusJ / nb;
        double dMinus = Math.max(0.0, -((double) minusI / na - (double) minusJ / nb));
        double d = dMinus > dPlus ? dMinus : dPlus;

        if (Math.max(na, nb) <= MAX_EXACT_N) {
            int g = gcd(na, nb);
            long lcm = (long) (na / g) * nb;
            // The integer diff is a multiple of g: h = D * lcm exactly, as scipy's round(d * lcm).
            long h = Math.max(maxPlus, maxMinus) / g;
            double exactD = h * 1.0 / lcm;
            double p = exactPValue(na, nb, g, h);
            if (p >= 0.0 && p <= 1.0) {
                return new KsResult(exactD, p, true);
            }
            // scipy falls back to the asymptotic distribution when the exact computation fails
            d = exactD;
        }
        return new KsResult(d, asymptoticPValue(d, na, nb), false);
    }

    /**
     * Two-sided p-value of a statistic {@code d} for sample sizes n and m, as ks_2samp(method='auto') chooses it:
     * exact when max(n, m) <= {@link #MAX_EXACT_N} (d is first rounded to a multiple of 1/lcm(n, m)), asymptotic
     * otherwise.
     *
     * @throws IllegalArgumentException if a size is below 1 or d is outside [0, 1]
     */
    public static double pValue(double d, int n, int m) {
        if (n < 1 || m < 1) {
            throw new IllegalArgumentException("sample sizes must be positive, got " + n + " and " + m);
        }
        if (!(d >= 0.0 && d <= 1.0)) {
            throw new IllegalArgumentException("a KS statistic lies in [0, 1], got " + d);
        }
        if (Math.max(n, m) <= MAX_EXACT_N) {
            int g = gcd(n, m);
            long lcm = (long) (n / g) * m;
            long h = Math.round(Math.rint(d * lcm));
            double p = exactPValue(n, m, g, h);
            if (p >= 0.0 && p <= 1.0) {
                return p;
            }
            d = h * 1.0 / lcm;
        }
        return asymptoticPValue(d, n, m);
    }

    /** scipy's asymptotic two-sided p-value: kstwo.sf(d, round(n*m/(n+m))), clipped to [0, 1]. */
    public static double asymptoticPValue(double d, int n, int m) {
        double big = Math.max(n, m);
        double small = Math.min(n, m);
        double en = big * small / (big + small);
        double p = KolmogorovDistribution.sf(d, (long) Math.rint(en));
        return Math.min(1.0, Math.max(0.0, p));
    }

    // exact p-values by (n, m, h): a window evaluation tests k = 1000 sample values against the same reference
    // sample every time, so the same few hundred h recur, and the lattice recursion is most of stage 2's time
    private static final int MAX_CACHED_P_VALUES = 1 << 16;
    private static final ConcurrentHashMap<Long, Double> EXACT_P_VALUES = new ConcurrentHashMap<>();

    /** Exact P(D >= h / lcm(n, m)); NaN or a value outside [0, 1] when it cannot be computed. */
    static double exactPValue(int n, int m, int g, long h) {
        if (h <= 0) {
            return 1.0;
        }
        // n, m <= MAX_EXACT_N < 2^14 and h <= lcm(n, m) < 2^28: one long holds all three
        long key = ((long) n << 50) | ((long) m << 36) | h;
        Double cached = EXACT_P_VALUES.get(key);
        if (cached != null) {
            return cached;
        }
        double p = computeExactPValue(n, m, g, h);
        if (EXACT_P_VALUES.size() >= MAX_CACHED_P_VALUES) {
            EXACT_P_VALUES.clear();
        }
        EXACT_P_VALUES.put(key, p);
        return p;
    }

    private static double computeExactPValue(int n, int m, int g, long h) {
        if (n == m) {
            return probOutsideSquare(n, h);
        }
        return outerProbInside(n, m, g, h);
    }

    /**
     * P(D_{n,n} >= h/n) = 2 * (C(2n, n-h) - C(2n, n-2h) + ...) / C(2n, n), evaluated as scipy does: each term
     * divided by C(2n, n), common factors pulled out, Horner-like, which avoids the subtractive cancellation.
     */
    static double probOutsideSquare(int n, long h) {
        double p = 0.0;
        long k = n / h;
        while (k >= 0) {
            double p1 = 1.0;
            for (long j = 0; j < h; j++) {
                p1 = (double) (n - k * h - j) * p1 / (double) (n + k * h + j + 1);
            }
            p = p1 * (1.0 - p);
            k--;
        }
        return 2 * p;
    }

    /**
     * Share of the lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| < h/lcm, by scipy's
     * recursion on 1 - (share inside): only a sliding window of one column is kept, and every entry is a convex
     * combination of two others, so no scaling is needed.
     */
    static double outerProbInside(int n1, int n2, int g, long h) {
        int m = Math.max(n1, n2);
        int n = Math.min(n1, n2);
        long mg = m / g;
        long ng = n / g;

        int minj = 0;
        int maxj = (int) Math.min(ceilDiv(h, mg), n + 1);
        int curlen = maxj - minj;
        int lenA = Math.min(2 * maxj + 2, n + 1);
        double[] a = new double[lenA];
        Arrays.fill(a, 1.0);
        Arrays.fill(a, minj, maxj, 0.0);
        // scipy divides by (i + j) in every cell; a table of reciprocals and weights i/(i+j), j/(i+j) take the
        // division off the loop-carried chain (several times faster); the extra roundings stay near 1e-14 relative
        double[] reciprocal = new double[m + n + 1];
        for (int t = 1; t < reciprocal.length; t++) {
            reciprocal[t] = 1.0 / t;
        }
        for (int i = 1; i <= m; i++) {
            int lastminj = minj;
            int lastlen = curlen;
            minj = (int) Math.min(Math.max(Math.floorDiv(ng * i - h, mg) + 1, 0), n);
            maxj = (int) Math.min(ceilDiv(ng * i + h, mg), n + 1);
            if (maxj <= minj) {
                return 1.0;
            }
            double val = minj == 0 ? 0.0 : 1.0;
            for (int jj = 0; jj < maxj - minj; jj++) {
                int j = jj + minj;
                double r = reciprocal[i + j];
                // val stays on the loop-carried chain for one multiply and one add only
                val = val * (j * r) + a[jj + minj - lastminj] * (i * r);
                a[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen) {
                // entries carried over from the longer previous window lie outside the band now
                Arrays.fill(a, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)), 1.0);
            }
        }
        return a[maxj - minj - 1];
    }

    private static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    static void checkSorted(double[] values, int n, String which) {
        if (n < 1 || n > values.length) {
            throw new IllegalArgumentException(
                    "the " + which + " sample must hold 1.." + values.length + " values, got n = " + n);
        }
        if (Double.isNaN(values[0])) {
            throw new IllegalArgumentException("the " + which + " sample holds NaN; drop missing values first");
        }
        for (int i = 1; i < n; i++) {
            // also false for NaN, which Arrays.sort puts last
            if (!(values[i - 1] <= values[i])) {
                throw new IllegalArgumentException(Double.isNaN(values[i])
                        ? "the " + which + " sample holds NaN; drop missing values first"
                        : "the " + which + " sample is not sorted ascending at index " + i);
            }
        }
    }
}
