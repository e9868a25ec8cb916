#!/usr/bin/python3
"""Reference values for driftwatch's statistics unit tests, from Debian's python3-scipy (scipy 1.10.1).

Usage: /usr/bin/python3 src/test/python/gen_stats_unit_values.py src/test/resources/ks-distribution-vectors.json

Writes the KS distribution vectors (JSON, read by KolmogorovSmirnovDistributionTest) and prints the
chi-square and Benjamini-Hochberg values that ChiSquareTest and MultipleTestingTest hold as constants.
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.stats._stats_py import _attempt_exact_2kssamp


def exact_cases():
    """(n1, n2, h) -> scipy's exact two-sided p-value of D = h / lcm(n1, n2)."""
    cases = []
    sizes = [(1, 1), (3, 7), (10, 10), (25, 40), (40, 25), (100, 100), (99, 100), (137, 1000), (1000, 999),
             (1000, 1000), (1000, 4000), (2500, 3000), (5000, 5000), (10000, 9999), (10000, 10000), (7, 10000)]
    for n1, n2 in sizes:
        g = math.gcd(n1, n2)
        lcm = n1 // g * n2
        # statistics from tiny to large: p-values from ~1 down to ~1e-300
        for frac in [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.6, 1.0]:
            h = max(0, min(lcm, int(round(frac * lcm))))
            if frac > 0:
                h = max(h, 1)
            d = h / lcm
            ok, d2, p = _attempt_exact_2kssamp(n1, n2, g, d, 'two-sided')
            if not ok:
                continue
            cases.append({"n1": n1, "n2": n2, "h": h, "d": d2, "pvalue": float(np.clip(p, 0, 1))})
    return cases


def asymptotic_cases():
    """(n, d) -> scipy.stats.kstwo.sf(d, n), spread over every branch of _kolmogn's choice."""
    cases = []
    for n in [5, 50, 140, 141, 500, 5000, 6667, 50000, 100001, 1000000]:
        for nxsq in [0.3, 0.7, 1.0, 1.5, 2.0, 2.5, 4.0, 5.0, 10.0, 30.0, 100.0]:
            d = math.sqrt(nxsq / n)
            if d >= 1:
                continue
            cases.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n))})
        for t in [0.75, 0.95]:  # n*d <= 1: Ruben-Gambino
            cases.append({"n": n, "d": t / n, "sf": float(stats.kstwo.sf(t / n, n))})
        for d in [0.5, 0.7, (n - 0.5) / n]:  # x >= 0.5 and t >= n - 1
            if d < 1:
                cases.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n))})
    return cases


def ks_2samp_cases():
    """Whole two-sample tests through the asymptotic branch (max(n1, n2) > 10000) with small n*m/(n+m)."""
    rng = np.random.default_rng(20261128)
    cases = []
    for n1, n2, shift in [(100, 12000, 0.0), (100, 12000, 0.4), (30, 12000, 0.8), (3000, 10001, 0.1)]:
        # six decimals keep the file small; ties this makes are part of what is tested
        a = np.round(rng.normal(shift, 1.0, n1), 6)
        b = np.round(rng.normal(0.0, 1.0, n2), 6)
        r = stats.ks_2samp(a, b)
        cases.append({"current": a.tolist(), "reference": b.tolist(),
                      "ks_statistic": float(r.statistic), "ks_pvalue": float(r.pvalue)})
    return cases


def merge_small_cells(observed, fractions):
    """driftwatch's rule: while > 1 cell and the smallest expected < 5, merge the two smallest (ties: lower index)."""
    n = sum(observed)
    cells = [(f * n, i, o) for i, (o, f) in enumerate(zip(observed, fractions))]
    cells.sort(key=lambda c: (c[0], c[1]))
    while len(cells) > 1 and cells[0][0] < 5:
        a, b = cells.pop(0), cells.pop(0)
        cells.append((a[0] + b[0], min(a[1], b[1]), a[2] + b[2]))
        cells.sort(key=lambda c: (c[0], c[1]))
    return [c[2] for c in cells], [c[0] for c in cells]


def chi_square_values():
    examples = {
        "no_small_cells": ([120, 95, 60, 25], [0.4, 0.3, 0.2, 0.1]),
        "two_small_pooled": ([40, 30, 20, 6, 4], [0.4, 0.3, 0.22, 0.05, 0.03]),
        "pool_joins_next": ([50, 30, 12, 5, 3], [0.50, 0.35, 0.12, 0.02, 0.01]),
        "zero_fraction_cell": ([68, 26, 4, 2], [0.7, 0.25, 0.05, 0.0]),
        "many_rare": ([300, 200, 100, 5, 3, 2, 2, 1, 0, 0], [0.48, 0.3, 0.2, 0.005, 0.004, 0.003, 0.003, 0.002,
                                                              0.002, 0.001]),
    }
    for name, (obs, frac) in examples.items():
        o, e = merge_small_cells(obs, frac)
        r = stats.chisquare(o, e)
        print(f"{name}: merged observed {o}, expected {[repr(x) for x in e]}, "
              f"statistic {r.statistic!r}, pvalue {r.pvalue!r}, dof {len(o) - 1}")


def bh_values():
    p = np.array([0.0001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269,
                  0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986])
    m = len(p)
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(adjusted_sorted, 1.0)
    print("BH adjusted:", [repr(float(x)) for x in adjusted])
    for q in [0.05, 0.25]:
        print(f"BH rejected at q={q}:", [int(i) for i in np.nonzero(adjusted <= q)[0]])
    print("Bonferroni alpha 0.01 / 7:", repr(0.01 / 7))


def main():
    out = {"generator": f"scipy {scipy.__version__} numpy {np.__version__} gen_stats_unit_values.py",
           "exact": exact_cases(), "asymptotic": asymptotic_cases(), "ks_2samp": ks_2samp_cases()}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
    chi_square_values()
    bh_values()


if __name__ == "__main__":
    main()
