package dev.driftwatch.stats;

/** Pearson chi-square goodness-of-fit result; dof after merging small cells. */
public record ChiSquareResult(double statistic, double pValue, int degreesOfFreedom) {}
