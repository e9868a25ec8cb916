package dev.driftwatch.cli;

import dev.driftwatch.avro.FeatureKind;

import java.util.List;

/**
 * The verdict on one column of {@code compare}: counts of both sides and every statistic that was run (null where
 * a test does not apply to the column's kind), whether the column drifted and why.
 */
public record ColumnComparison(
        String name,
        FeatureKind kind,
        long nReference,
        long nCurrent,
        long missingReference,
        long missingCurrent,
        Double ksStatistic,
        Double ksPValue,
        double psi,
        double kl,
        Double chi2Statistic,
        Double chi2PValue,
        boolean drifted,
        List<String> reasons) {}
