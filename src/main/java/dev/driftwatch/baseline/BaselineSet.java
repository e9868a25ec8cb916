package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable set of baselines, looked up by (model, version) for counting and by fingerprint for testing.
 * An event of a version with no baseline uses the newest baseline of its model when fallback is allowed.
 */
public final class BaselineSet {
    private final Map<String, ModelBaselines> byModelVersion = new HashMap<>();
    private final Map<String, ModelBaselines> newestByModel = new HashMap<>();
    private final Map<String, Baseline> byFingerprint = new HashMap<>();
    private final boolean fallbackToNewest;

    public BaselineSet(Collection<FeatureBaseline> records, boolean fallbackToNewest) {
        this(records.stream().map(Baseline::new).toList(), List.of(), fallbackToNewest);
    }

    /**
     * A set of live baselines that also finds {@code retired} ones by fingerprint: panes counted on a baseline
     * that was replaced or retired meanwhile are still tested against it, while new events never use it.
     */
    public BaselineSet(Collection<Baseline> live, Collection<Baseline> retired, boolean fallbackToNewest) {
        this.fallbackToNewest = fallbackToNewest;
        for (Baseline b : retired) {
            byFingerprint.put(b.fingerprint(), b);
        }
        Map<String, List<Baseline>> grouped = new LinkedHashMap<>();
        for (Baseline b : live) {
            grouped.computeIfAbsent(key(b.model(), b.version()), k -> new ArrayList<>()).add(b);
            byFingerprint.put(b.fingerprint(), b);
        }
        for (List<Baseline> group : grouped.values()) {
            group.sort(Comparator.comparing(Baseline::feature));
            Baseline first = group.get(0);
            ModelBaselines mb = new ModelBaselines(first.model(), first.version(), group);
            byModelVersion.put(key(first.model(), first.version()), mb);
            newestByModel.merge(first.model(), mb, (a, b) -> b.createdAt() > a.createdAt() ? b : a);
        }
    }

    private static String key(String model, String version) {
        return model + '\u0000' + version;
    }

    /** Baselines to count an event of (model, version) against, or null when the model has none. */
    public ModelBaselines forEvent(String model, String version) {
        ModelBaselines exact = byModelVersion.get(key(model, version));
        if (exact != null || !fallbackToNewest) {
            return exact;
        }
        return newestByModel.get(model);
    }

    public Baseline byFingerprint(String fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    public Collection<ModelBaselines> all() {
        return byModelVersion.values();
    }

}
