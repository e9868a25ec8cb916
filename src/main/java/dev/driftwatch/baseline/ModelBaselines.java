package dev.driftwatch.baseline;

import java.util.List;

/**
 * The baselines of one model version, in a fixed feature order: what the pane stage counts an event against.
 * Each feature carries a salt for the order-independent sampling key of its values.
 */
public final class ModelBaselines {
    private final String model;
    private final String version;
    private final Baseline[] features;
    private final List<String> featureNames;
    private final long[] salts;
    private final Baseline prediction;
    private final long createdAt;

    ModelBaselines(String model, String version, List<Baseline> baselines) {
        this.model = model;
        this.version = version;
        this.prediction = baselines.stream().filter(b -> b.feature().equals(Baseline.PREDICTION_FEATURE)).findFirst().orElse(null);
        this.features = baselines.stream().filter(b -> !b.feature().equals(Baseline.PREDICTION_FEATURE)).toArray(Baseline[]::new);
        this.featureNames = java.util.Arrays.stream(features).map(Baseline::feature).toList();
        this.salts = new long[features.length + 1];
        for (int i = 0; i < features.length; i++) {
            salts[i] = SamplingKeys.mix(features[i].feature().hashCode() * 0x9E3779B97F4A7C15L + 1);
        }
        salts[features.length] = SamplingKeys.mix(Baseline.PREDICTION_FEATURE.hashCode() * 0x9E3779B97F4A7C15L + 1);
        this.createdAt = baselines.stream().mapToLong(b -> b.lineage().getCreatedAt().toEpochMilli()).max().orElse(0);
    }

    public String model() {
        return model;
    }

    /** The baseline version (may differ from the events' version when the newest baseline stands in). */
    public String version() {
        return version;
    }

    /** Feature baselines, prediction excluded. */
    public Baseline[] features() {
        return features;
    }

    /** Names of {@link #features()}, in the same order. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** Sampling salt of feature i; index features().length is the prediction's. */
    public long salt(int i) {
        return salts[i];
    }

    /** The prediction's baseline, or null when none was built. */
    public Baseline prediction() {
        return prediction;
    }

    public long createdAt() {
        return createdAt;
    }

}
