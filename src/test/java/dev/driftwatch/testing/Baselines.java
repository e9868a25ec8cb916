package dev.driftwatch.testing;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.KsSupport;

import java.time.Instant;
import java.util.List;

/** Hand-made baselines for operator tests, where the exact edges and fractions are part of the test. */
public final class Baselines {
    private Baselines() {}

    public static BaselineLineage lineage(String sha) {
        return BaselineLineage.newBuilder().setDatasetSha256(sha).setRows(1000)
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z")).setSource("train.csv").setCodeVersion("test").build();
    }

    public static FeatureBaseline numeric(String model, String version, String feature, List<Double> edges,
                                          List<Double> fractions, List<Double> sample) {
        return FeatureBaseline.newBuilder()
                .setModel(model).setVersion(version).setFeature(feature).setKind(FeatureKind.NUMERIC)
                .setBinEdges(edges).setBinFractions(fractions).setReferenceSample(sample)
                .setKsSupport(KsSupport.SAMPLE).setCount(1000).setMissingCount(0).setMissingFraction(0)
                .setLineage(lineage("sha-" + version)).build();
    }

    public static FeatureBaseline categorical(String model, String version, String feature, List<String> categories,
                                              List<Double> fractions) {
        return FeatureBaseline.newBuilder()
                .setModel(model).setVersion(version).setFeature(feature).setKind(FeatureKind.CATEGORICAL)
                .setCategories(categories).setCategoryFractions(fractions)
                .setCount(1000).setMissingCount(0).setMissingFraction(0)
                .setLineage(lineage("sha-" + version)).build();
    }
}
