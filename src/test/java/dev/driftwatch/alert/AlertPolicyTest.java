package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.Severity;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.config.DriftConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AlertPolicyTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static FeatureDriftResult result(String feature, long windowEnd, double ksP, double psi) {
        List<TestResult> tests = List.of(
                TestResult.newBuilder().setTest("KS").setStatistic(0.1).setPValue(ksP).setThreshold(0.01).setDrifted(ksP < 0.01).build(),
                TestResult.newBuilder().setTest("PSI").setStatistic(psi).setPValue(null).setThreshold(0.25).setDrifted(psi >= 0.25).build());
        return FeatureDriftResult.newBuilder()
                .setModel("m").setModelVersion("v1").setBaselineVersion("v1").setFeature(feature).setKind(FeatureKind.NUMERIC)
                .setWindowStart(Instant.ofEpochMilli(windowEnd - 600_000)).setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setCount(1000).setMissingCount(0).setSampleSize(1000).setTests(tests)
                .setLineage(BaselineLineage.newBuilder().setDatasetSha256("ab").setRows(10).setCreatedAt(NOW)
                        .setSource("train.csv").setCodeVersion("test").build())
                .build();
    }

    /** A window of 10 features where the named ones have the given KS p-value and the rest are clean. */
    static List<FeatureDriftResult> window(long end, double p, String... driftedFeatures) {
        List<FeatureDriftResult> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String f = "f" + i;
            boolean d = List.of(driftedFeatures).contains(f);
            out.add(result(f, end, d ? p : 0.5, 0.01));
        }
        return out;
    }

    @Test
    void bonferroniDividesAlphaByTheNumberOfTestedFeatures() {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 2, 0.5);
        // 0.005 < 0.01 uncorrected, but not below 0.01 / 10
        assertThat(policy.judge(window(1, 0.005, "f1")).driftedFeatures()).isEmpty();
        WindowVerdict v = policy.judge(window(1, 0.0005, "f1"));
        assertThat(v.driftedFeatures()).containsExactly("f1");
        assertThat(v.driftShare()).isEqualTo(0.1);
        TestResult ks = v.features().stream().filter(f -> f.getFeature().equals("f1")).findFirst().orElseThrow().getTests().get(0);
        assertThat(ks.getThreshold()).isEqualTo(0.001);
    }

    @Test
    void benjaminiHochbergRejectsMoreThanBonferroniWhenSeveralFeaturesDrift() {
        List<FeatureDriftResult> w = new ArrayList<>();
        double[] ps = {0.0012, 0.0015, 0.002, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
        for (int i = 0; i < ps.length; i++) {
            w.add(result("f" + i, 1, ps[i], 0.01));
        }
        assertThat(new AlertPolicy(DriftConfig.Correction.BONFERRONI, 1, 0.5).judge(w).driftedFeatures()).isEmpty();
        assertThat(new AlertPolicy(DriftConfig.Correction.BH, 1, 0.5).judge(w).driftedFeatures())
                .containsExactlyInAnyOrder("f0", "f1", "f2");
    }

    @Test
    void psiAloneDriftsAFeature() {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 1, 0.5);
        List<FeatureDriftResult> w = new ArrayList<>(window(1, 0.5));
        w.set(4, result("f4", 1, 0.5, 0.3));
        assertThat(policy.judge(w).driftedFeatures()).containsExactly("f4");
    }

    @Test
    void firesAfterConsecutiveDriftedWindowsAndResolvesAfterAsManyCleanOnes() {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 2, 0.5);
        AlertState s = new AlertState();
        List<Optional<DriftAlert>> alerts = new ArrayList<>();
        String[][] drifted = {{}, {"f3", "f7"}, {}, {"f3", "f7"}, {"f3", "f7"}, {"f3"}, {}, {"f3"}, {}, {}};
        for (int i = 0; i < drifted.length; i++) {
            List<FeatureDriftResult> w = window((i + 1) * 60_000L, 1e-9, drifted[i]);
            alerts.add(policy.step(s, policy.judge(w), w.get(0), NOW));
        }
        // a single drifted window (i = 1) is not enough; i = 3, 4 are two in a row
        assertThat(alerts.subList(0, 4)).allMatch(Optional::isEmpty);
        DriftAlert fire = alerts.get(4).orElseThrow();
        assertThat(fire.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(fire.getFeatures()).extracting(f -> f.getFeature()).containsExactly("f3", "f7");
        assertThat(fire.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(fire.getWindowEnd().toEpochMilli()).isEqualTo(5 * 60_000L);
        // still firing: f3 alone keeps it drifted, a clean window then a drifted one resets the clean streak
        assertThat(alerts.subList(5, 9)).allMatch(Optional::isEmpty);
        DriftAlert resolved = alerts.get(9).orElseThrow();
        assertThat(resolved.getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.getFeatures()).extracting(f -> f.getFeature()).containsExactly("f3", "f7");
        assertThat(resolved.getAlertId()).isNotEqualTo(fire.getAlertId());
    }

    @Test
    void datasetDriftIsCritical() {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 1, 0.5);
        List<FeatureDriftResult> w = window(1, 1e-12, "f0", "f1", "f2", "f3", "f4");
        DriftAlert a = policy.step(new AlertState(), policy.judge(w), w.get(0), NOW).orElseThrow();
        assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(a.getDriftShare()).isEqualTo(0.5);
        assertThat(a.getLineage().getDatasetSha256()).isEqualTo("ab");
    }

    @Test
    void alertIdsAreDeterministicAndDistinguishStatusAndWindow() {
        String a = AlertPolicy.alertId("m", "v1", 100, AlertStatus.FIRING, dev.driftwatch.avro.AlertKind.DRIFT);
        assertThat(a).isEqualTo(AlertPolicy.alertId("m", "v1", 100, AlertStatus.FIRING, dev.driftwatch.avro.AlertKind.DRIFT))
                .hasSize(32)
                .isNotEqualTo(AlertPolicy.alertId("m", "v1", 100, AlertStatus.RESOLVED, dev.driftwatch.avro.AlertKind.DRIFT))
                .isNotEqualTo(AlertPolicy.alertId("m", "v1", 160, AlertStatus.FIRING, dev.driftwatch.avro.AlertKind.DRIFT))
                .isNotEqualTo(AlertPolicy.alertId("m", "v2", 100, AlertStatus.FIRING, dev.driftwatch.avro.AlertKind.DRIFT));
    }
}
