#!/usr/bin/python3
"""Times scipy.stats.ks_2samp on the shapes StatsBenchmark measures, for docs/benchmarks/stats.md.

Usage: /usr/bin/python3 src/test/python/time_scipy_ks.py
"""
import timeit

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261128)
print(f"scipy {scipy.__version__}, numpy {np.__version__}; best of 5 repeats, ms per call")
shapes = [("1000 x 1000", 1000, 1000), ("5000 x 5000", 5000, 5000), ("1000 x 999", 1000, 999),
          ("5000 x 4999", 5000, 4999), ("1000 x 10000", 1000, 10000)]
for name, n1, n2 in shapes:
    a = rng.normal(0.1, 1.0, n1)
    b = rng.normal(0.0, 1.0, n2)
    number = 20 if n1 == n2 else 3
    best = min(timeit.repeat(lambda: stats.ks_2samp(a, b), number=number, repeat=5)) / number
    r = stats.ks_2samp(a, b)
    print(f"{name:>13}: {best * 1e3:8.3f} ms   (D = {r.statistic:.4f}, p = {r.pvalue:.3g})")
