package dev.driftwatch.profile;

/** The statistical tests driftwatch runs; the names are public (alerts, results, metrics). */
public enum DriftTest {
    KS(true), PSI(false), KL(false), CHI2(true), MISSING_RATE(false), SKEW_RATE(false);

    private final boolean pValueTest;

    DriftTest(boolean pValueTest) {
        this.pValueTest = pValueTest;
    }

    /** Whether the test decides by p-value (and so is subject to multiple-testing correction). */
    public boolean isPValueTest() {
        return pValueTest;
    }
}
