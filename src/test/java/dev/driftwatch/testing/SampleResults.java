package dev.driftwatch.testing;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.TestResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Window results of a model "m" v1 with ten features, for alert tests: the named features drift, the rest are clean. */
public final class SampleResults {
    private SampleResults() {}

    public static FeatureDriftResult result(String feature, long windowEnd, double ksP, double psi) {
        List<TestResult> tests = List.of(
                TestResult.newBuilder().setTest("KS").setStatistic(0.1).setPValue(ksP).setThreshold(0.01).setDrifted(ksP < 0.01).build(),
                TestResult.newBuilder().setTest("PSI").setStatistic(psi).setPValue(null).setThreshold(0.25).setDrifted(psi >= 0.25).build());
        return FeatureDriftResult.newBuilder()
                .setModel("m").setModelVersion("v1").setBaselineVersion("v1").setFeature(feature).setKind(FeatureKind.NUMERIC)
                .setWindowStart(Instant.ofEpochMilli(windowEnd - 600_000)).setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setCount(1000).setMissingCount(0).setSampleSize(1000).setTests(tests)
                .setLineage(BaselineLineage.newBuilder().setDatasetSha256("ab").setRows(10).setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                        .setSource("train.csv").setCodeVersion("test").build())
                .build();
    }

    /** A window of 10 features where the named ones have the given KS p-value and the rest are clean. */
    public static List<FeatureDriftResult> window(long end, double p, String... driftedFeatures) {
        List<FeatureDriftResult> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String f = "f" + i;
            boolean d = List.of(driftedFeatures).contains(f);
            out.add(result(f, end, d ? p : 0.5, 0.01));
        }
        return out;
    }
}
