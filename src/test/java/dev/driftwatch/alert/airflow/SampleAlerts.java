package dev.driftwatch.alert.airflow;

import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.AlertKind;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.Severity;
import dev.driftwatch.avro.TestResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Drift alerts as the alert policy emits them, for the Airflow trigger's tests. */
final class SampleAlerts {
    static final Instant WINDOW_END = Instant.parse("2026-03-01T12:00:00Z");

    private SampleAlerts() {}

    /** A FIRING, CRITICAL alert of model whose window ends at windowEnd; created one minute after it. */
    static DriftAlert firing(String alertId, String model, Instant windowEnd) {
        return alert(alertId, AlertStatus.FIRING, Severity.CRITICAL, model, windowEnd);
    }

    static DriftAlert alert(String alertId, AlertStatus status, Severity severity, String model, Instant windowEnd) {
        return DriftAlert.newBuilder()
                .setAlertId(alertId)
                .setStatus(status)
                .setKind(AlertKind.DRIFT)
                .setSeverity(severity)
                .setModel(model)
                .setModelVersion("7")
                .setBaselineVersion("2026-02-01")
                .setWindowStart(windowEnd.minus(Duration.ofHours(1)))
                .setWindowEnd(windowEnd)
                .setDriftShare(0.4)
                .setFeatures(List.of(
                        AlertFeature.newBuilder().setFeature("amount").setTests(List.of(
                                TestResult.newBuilder().setTest("PSI").setStatistic(0.41).setPValue(null)
                                        .setThreshold(0.25).setDrifted(true).build(),
                                TestResult.newBuilder().setTest("KS").setStatistic(0.18).setPValue(1e-9)
                                        .setThreshold(0.001).setDrifted(true).build())).build(),
                        AlertFeature.newBuilder().setFeature("country").setTests(List.of(
                                TestResult.newBuilder().setTest("CHI2").setStatistic(88.5).setPValue(2e-12)
                                        .setThreshold(0.001).setDrifted(true).build())).build()))
                .setLineage(BaselineLineage.newBuilder()
                        .setDatasetSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                        .setRows(1_000_000L)
                        .setCreatedAt(Instant.parse("2026-02-01T00:00:00Z"))
                        .setSource("s3://ml-data/fraud/train-2026-02.parquet")
                        .setCodeVersion("0.1.0")
                        .build())
                .setCreatedAt(windowEnd.plus(Duration.ofMinutes(1)))
                .setSummary(status + " " + model + ": 2/5 features drifted (amount PSI 0.41,\ncountry CHI2 p=2e-12)")
                .build();
    }
}
