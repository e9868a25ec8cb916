package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertFeature;

import java.util.List;

/**
 * The judgement of one model version's window after multiple-testing correction: every evaluated feature with
 * its corrected tests, which of them drifted, and the drift share.
 */
public record WindowVerdict(List<AlertFeature> features, List<String> driftedFeatures, double driftShare) {
    public boolean drifted() {
        return !driftedFeatures.isEmpty();
    }
}
