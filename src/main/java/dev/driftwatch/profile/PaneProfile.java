package dev.driftwatch.profile;

import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.stats.Reservoir;

/**
 * The partial profile of one feature of one model version over one pane, as it leaves the pane stage and
 * as keyed state keeps it: the only record type that crosses the network between stage 1 and stage 2.
 * A Flink POJO (public fields, no-arg constructor): serialized without Kryo.
 */
public class PaneProfile {
    public String model;
    public String modelVersion;
    public String feature;
    /** Version and fingerprint of the baseline whose cells were counted. */
    public String baselineVersion;
    public String baselineFingerprint;
    public FeatureKind kind;
    public long paneStart;
    public long paneEnd;
    public long count;
    public long missing;
    /** Counts per baseline bin (numeric) or per baseline category plus 'other' (categorical). */
    public long[] cells;
    /** Uniform sample of the pane's non-missing values (numeric only, else null). */
    public Reservoir sample;
    /** t-digest of the pane's values (MergingDigest.asSmallBytes); null from the pane stage, which keeps none. */
    public byte[] digest;

    public PaneProfile() {}

    /** Key of stage 2: one model version's feature. */
    public String featureKey() {
        return model + '\u0000' + modelVersion + '\u0000' + feature;
    }

    @Override
    public String toString() {
        return "PaneProfile{" + model + "/" + modelVersion + "/" + feature + " [" + paneStart + "," + paneEnd
                + ") count=" + count + " missing=" + missing + "}";
    }
}
