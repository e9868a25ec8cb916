package dev.driftwatch.profile;

/**
 * One test of one feature in one window. For p-value tests {@code pValue} is set and drift means
 * pValue < threshold; for index tests drift means statistic >= threshold.
 */
public record TestOutcome(DriftTest test, double statistic, Double pValue, double threshold) {

    public boolean drifted() {
        return drifted(threshold);
    }

    /** Drift under another threshold (the corrected alpha of a p-value test). */
    public boolean drifted(double appliedThreshold) {
        if (test.isPValueTest()) {
            return pValue != null && pValue < appliedThreshold;
        }
        return statistic >= appliedThreshold;
    }
}
