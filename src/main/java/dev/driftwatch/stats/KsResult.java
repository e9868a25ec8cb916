package dev.driftwatch.stats;

/** Result of a two-sample Kolmogorov-Smirnov test: D, its p-value, and whether the exact distribution was used. */
public record KsResult(double statistic, double pValue, boolean exact) {}
