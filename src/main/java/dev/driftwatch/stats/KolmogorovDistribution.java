package dev.driftwatch.stats;

/**
 * Survival function of the one-sample two-sided Kolmogorov statistic D_n, as scipy.stats.kstwo.sf (scipy 1.10.1,
 * {@code _ksstats._kolmogn}) computes it, which is what ks_2samp's asymptotic p-value uses.
 *
 * <p>Same method choice as scipy (Simard and L'Ecuyer 2011): Ruben-Gambino at the ends, 2 * smirnov (exact one-sided
 * tail, doubled) for x >= 0.5 or a small tail, Durbin's matrix (Marsaglia-Tsang-Wang) for small n or small n x^1.5,
 * and Pelz-Good otherwise. One deliberate difference: where scipy uses Pomeranz's recursion (n <= 140, 0.754693 <
 * n x^2 <= 4) this uses Durbin's matrix too; both are exact methods and agree to rounding. commons-math3's
 * KolmogorovSmirnovTest.cdf is not used: for n > 140 it only has Pelz-Good, whose 1 - cdf loses the small p-values
 * that scipy gets from the smirnov tail.
 */
final class KolmogorovDistribution {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
    private static final double SQRT3 = Math.sqrt(3);
    private static final double PI2 = Math.PI * Math.PI;
    private static final double PI4 = PI2 * PI2;
    private static final double PI6 = PI4 * PI2;
    private static final double MIN_LOG = -708;
    private static final int E128 = 128;
    private static final double EP128 = Math.scalb(1.0, E128);
    private static final double EM128 = Math.scalb(1.0, -E128);
    // Stirling coefficients B_{2j}/(2j)/(2j-1) for j = 8..1, highest power first (numpy.polyval order)
    private static final double[] STIRLING_COEFFS = {
        -2.955065359477124183e-2, 6.4102564102564102564e-3,
        -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2
    };

    private KolmogorovDistribution() {}

    /** P(D_n >= x). */
    static double sf(double x, long n) {
        if (Double.isNaN(x) || n <= 0) {
            return Double.NaN;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        if (x <= 0.0) {
            return 1.0;
        }
        double t = n * x;
        if (t <= 1.0) {
            if (t <= 0.5) {
                return 1.0;
            }
            double cdf;
            if (n <= 140) {
                cdf = 1.0;
                for (long i = 1; i <= n; i++) {
                    cdf *= i * (1.0 / n) * (2 * t - 1);
                }
            } else {
                cdf = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
            }
            return clip(1.0 - cdf);
        }
        if (t >= n - 1) {
            return clip(2 * Math.pow(1.0 - x, n));
        }
        if (x >= 0.5) {
            return clip(2 * smirnov(n, x));
        }
        double nxSquared = t * x;
        if (n <= 140) {
            if (nxSquared <= 4) {
                return clip(1.0 - durbinMatrixCdf(n, x));
            }
            return clip(2 * smirnov(n, x));
        }
        if (nxSquared >= 370.0) {
            return 0.0;
        }
        if (nxSquared >= 2.2) {
            return clip(2 * smirnov(n, x));
        }
        double cdf;
        if (n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4) {
            cdf = durbinMatrixCdf(n, x);
        } else {
            cdf = pelzGoodCdf(n, x);
        }
        return clip(1.0 - cdf);
    }

    /**
     * One-sided exact tail P(D_n^+ >= x) (scipy.special.smirnov), by the Birnbaum-Tingey sum
     * x * sum_j C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1), evaluated in logs: every term is positive, so the
     * sum is stable and only the log-binomials' rounding matters.
     */
    static double smirnov(long n, double x) {
        if (x <= 0.0) {
            return 1.0;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        long last = (long) Math.floor(n * (1.0 - x));
        // running log-sum-exp: no array of n terms, no overflow
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0.0;
        double logBinomial = 0.0;
        for (long j = 0; j <= last; j++) {
            if (j > 0) {
                logBinomial += Math.log((double) (n - j + 1) / j);
            }
            double below = 1.0 - x - (double) j / n;
            if (below <= 0.0 && n - j > 0) {
                continue;
            }
            double logTerm = logBinomial + (j - 1) * Math.log(x + (double) j / n);
            if (n - j > 0) {
                logTerm += (n - j) * Math.log(below);
            }
            if (logTerm > max) {
                sum = sum * Math.exp(max - logTerm) + 1.0;
                max = logTerm;
            } else {
                sum += Math.exp(logTerm - max);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return 0.0;
        }
        return x * sum * Math.exp(max);
    }

    /** log(n! / n^n) by Stirling's series with n log n taken out up front, as scipy does. */
    static double logNFactorialDivNPowN(long n) {
        double rn = 1.0 / n;
        double poly = 0.0;
        double arg = rn / n;
        for (double c : STIRLING_COEFFS) {
            poly = poly * arg + c;
        }
        return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
    }

    /** P(D_n <= d) by Durbin's matrix in the Marsaglia-Tsang-Wang form, with scipy's scaling by 2^128. */
    static double durbinMatrixCdf(long n, double d) {
        if (d >= 1.0) {
            return 1.0;
        }
        double nd = n * d;
        if (nd <= 0.5) {
            return 0.0;
        }
        int k = (int) Math.ceil(nd);
        double h = k - nd;
        int m = 2 * k - 1;

        double[] v = new double[m];
        double[] w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++) {
            v[j - 1] = 1.0 - Math.pow(h, j);
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] *= fac;
        }
        double tt = Math.pow(Math.max(2 * h - 1.0, 0), m) - 2 * Math.pow(h, m);
        v[m - 1] = (1.0 + tt) * fac;

        double[][] hm = new double[m][m];
        for (int i = 1; i < m; i++) {
            for (int r = i - 1; r < m; r++) {
                hm[r][i] = w[r - (i - 1)];
            }
        }
        for (int r = 0; r < m; r++) {
            hm[r][0] = v[r];
        }
        for (int c = 0; c < m; c++) {
            hm[m - 1][c] = v[m - 1 - c];
        }

        double[][] power = identity(m);
        long nn = n;
        int expnt = 0;
        int hExpnt = 0;
        while (nn > 0) {
            if (nn % 2 == 1) {
                power = multiply(power, hm);
                expnt += hExpnt;
            }
            hm = multiply(hm, hm);
            hExpnt *= 2;
            if (Math.abs(hm[k - 1][k - 1]) > EP128) {
                for (double[] row : hm) {
                    for (int c = 0; c < m; c++) {
                        row[c] /= EP128;
                    }
                }
                hExpnt += E128;
            }
            nn /= 2;
        }

        double p = power[k - 1][k - 1];
        for (long i = 1; i <= n; i++) {
            p = i * p / n;
            if (Math.abs(p) < EM128) {
                p *= EP128;
                expnt -= E128;
            }
        }
        if (expnt != 0) {
            p = Math.scalb(p, expnt);
        }
        return Math.min(1.0, Math.max(0.0, p));
    }

    /** Pelz-Good approximation of P(D_n <= x), term for term as scipy's _kolmogn_PelzGood. */
    static double pelzGoodCdf(long n, double x) {
        if (x <= 0.0) {
            return 0.0;
        }
        if (x >= 1.0) {
            return 1.0;
        }
        double z = Math.sqrt((double) n) * x;
        double z2 = z * z;
        double z3 = Math.pow(z, 3);
        double z4 = Math.pow(z, 4);
        double z6 = Math.pow(z, 6);

        double qlog = -PI2 / 8 / z2;
        if (qlog < MIN_LOG) {
            return 0.0;
        }
        double q = Math.exp(qlog);

        double k1a = -z2;
        double k1b = PI2 / 4;
        double k2a = 6 * z6 + 2 * z4;
        double k2b = (2 * z4 - 5 * z2) * PI2 / 4;
        double k2c = PI4 * (1 - 2 * z2) / 16;
        double k3d = PI6 * (5 - 30 * z2) / 64;
        double k3c = PI4 * (-60 * z2 + 212 * z4) / 16;
        double k3b = PI2 * (135 * z4 - 96 * z6) / 4;
        double k3a = -30 * z6 - 90 * Math.pow(z, 8);

        double[] sums = new double[4];
        int maxk = (int) Math.ceil(16 * z / Math.PI);
        for (int k = maxk; k > 0; k--) {
            double mm = 2 * k - 1;
            double m2 = mm * mm;
            double m4 = Math.pow(mm, 4);
            double m6 = Math.pow(mm, 6);
            double qpower = Math.pow(q, 8 * k);
            sums[0] = sums[0] * qpower + 1.0;
            sums[1] = sums[1] * qpower + (k1a + k1b * m2);
            sums[2] = sums[2] * qpower + (k2a + k2b * m2 + k2c * m4);
            sums[3] = sums[3] * qpower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
        }
        double[] divisors = {z, 6 * z4, 72 * Math.pow(z, 7), 6480 * Math.pow(z, 10)};
        for (int i = 0; i < 4; i++) {
            sums[i] = sums[i] * q * SQRT_2PI / divisors[i];
        }

        double q2 = Math.exp(-PI2 / 2 / z2);
        double sqrt3z = SQRT3 * z;
        double k2extra = 0.0;
        double k3extra = 0.0;
        for (int k = maxk; k > 0; k--) {
            double ksq = (double) k * k;
            double qp = Math.pow(q2, ksq);
            double kspi = Math.PI * k;
            k2extra += ksq * qp;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
        }
        sums[2] += k2extra * (PI2 * SQRT_2PI / (-36 * z3));
        sums[3] += k3extra * (PI2 * SQRT_2PI / (216 * z6));
        double total = 0.0;
        for (int i = 0; i < 4; i++) {
            total += sums[i] / Math.pow((double) n, i / 2.0);
        }
        return total;
    }

    private static double clip(double p) {
        return Math.min(1.0, Math.max(0.0, p));
    }

    private static double[][] identity(int m) {
        double[][] id = new double[m][m];
        for (int i = 0; i < m; i++) {
            id[i][i] = 1.0;
        }
        return id;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int m = a.length;
        double[][] c = new double[m][m];
        for (int i = 0; i < m; i++) {
            double[] ci = c[i];
            for (int k = 0; k < m; k++) {
                double aik = a[i][k];
                if (aik == 0.0) {
                    continue;
                }
                double[] bk = b[k];
                for (int j = 0; j < m; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c;
    }
}
