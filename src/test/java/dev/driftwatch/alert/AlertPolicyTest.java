package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.Severity;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.testing.SampleResults;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AlertPolicyTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static FeatureDriftResult result(String feature, long windowEnd, double ksP, double psi) {
        return SampleResults.result(feature, windowEnd, ksP, psi);
    }

    static List<FeatureDriftResult> window(long end, double p, String... driftedFeatures) {
        return SampleResults.window(end, p, driftedFeatures);
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
