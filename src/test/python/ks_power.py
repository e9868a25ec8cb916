#!/usr/bin/python3
"""Offline power of the tests driftwatch runs per window, on the sample sizes of `driftwatch bench --quality`.

Monte Carlo with scipy (Debian's python3-scipy; `apt-get install -y python3-scipy`): for each change of the
quality benchmark, draw a fresh reference sample (m values, the baseline's KS sample) and a fresh window sample
(n values, the window's reservoir), run scipy.stats.ks_2samp(method='auto') and count p < alpha / columns
(Bonferroni, as the job). The categorical change runs scipy.stats.chisquare on the counts of a whole window
(the job counts every event of the window) against the baseline's fractions.

    /usr/bin/python3 src/test/python/ks_power.py [--reps 2000] [--n 1000] [--m 2000] [--window-events 2000]
"""
import argparse

import numpy as np
from scipy import stats


def ks_power(rng, reps, n, m, shift, scale, alpha):
    hits = 0
    for _ in range(reps):
        ref = rng.standard_normal(m)
        cur = rng.standard_normal(n) * scale + shift
        if stats.ks_2samp(cur, ref, method="auto").pvalue < alpha:
            hits += 1
    return hits / reps


def chi2_power(rng, reps, events, before, after, alpha):
    hits = 0
    expected = np.asarray(before) * events
    for _ in range(reps):
        counts = rng.multinomial(events, after)
        if stats.chisquare(counts, expected).pvalue < alpha:
            hits += 1
    return hits / reps


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=2000)
    p.add_argument("--n", type=int, default=1000, help="window sample size (k)")
    p.add_argument("--m", type=int, default=2000, help="reference sample size (baseline --sample)")
    p.add_argument("--window-events", type=int, default=2000, help="events per window (chi-square counts)")
    p.add_argument("--alpha", type=float, default=0.01)
    p.add_argument("--columns", type=int, default=11, help="tested columns of a numeric model (Bonferroni)")
    p.add_argument("--seed", type=int, default=20261128)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    alpha_num = a.alpha / a.columns
    alpha_cat = a.alpha / (a.columns + 1)
    rows = [
        ("none (size of the test)", ks_power(rng, a.reps, a.n, a.m, 0.0, 1.0, alpha_num), "KS", alpha_num),
        ("mean +0.1 sd on f3, f7", ks_power(rng, a.reps, a.n, a.m, 0.1, 1.0, alpha_num), "KS", alpha_num),
        ("mean +0.2 sd on f3, f7", ks_power(rng, a.reps, a.n, a.m, 0.2, 1.0, alpha_num), "KS", alpha_num),
        ("mean +0.5 sd on f3, f7", ks_power(rng, a.reps, a.n, a.m, 0.5, 1.0, alpha_num), "KS", alpha_num),
        ("mean +1.5 sd on f3, f7", ks_power(rng, a.reps, a.n, a.m, 1.5, 1.0, alpha_num), "KS", alpha_num),
        ("sd x1.5 on f3, f7", ks_power(rng, a.reps, a.n, a.m, 0.0, 1.5, alpha_num), "KS", alpha_num),
        ("channel 0.4/0.3/0.2/0.1 -> 0.3/0.3/0.2/0.2",
         chi2_power(rng, a.reps, a.window_events, [0.4, 0.3, 0.2, 0.1], [0.3, 0.3, 0.2, 0.2], alpha_cat),
         "chi-square", alpha_cat),
    ]
    print(f"scipy {__import__('scipy').__version__}: offline power per window, {a.reps} draws each; "
          f"KS n={a.n} (window sample) vs m={a.m} (reference sample), chi-square on {a.window_events} events")
    print()
    print("| change | test | alpha after Bonferroni | scipy power |")
    print("|---|---|---:|---:|")
    for name, power, test, alpha in rows:
        print(f"| {name} | {test} | {alpha:.5f} | {power:.3f} |")


if __name__ == "__main__":
    main()
