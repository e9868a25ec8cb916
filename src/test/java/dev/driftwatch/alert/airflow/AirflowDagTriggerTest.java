package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AirflowDagTriggerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static AirflowTriggerConfig config(String apiVersion, Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(Map.of(
                "base-url", "http://127.0.0.1:8080", "api-version", apiVersion, "dag-id", "retrain_fraud",
                "username", "ops", "password-env", "AIRFLOW_PASSWORD"));
        m.putAll(extra);
        return AirflowTriggerConfig.fromMap(m);
    }

    @Test
    void airflow2BodyFollowsTheDagRunSchemaAndCarriesWhatTheDagNeeds() throws Exception {
        AirflowDagTrigger trigger = new AirflowDagTrigger(config("2", Map.of()));
        DriftAlert alert = SampleAlerts.firing("a1b2c3", "fraud", SampleAlerts.WINDOW_END);
        JsonNode body = JSON.readTree(trigger.build(alert, 0L).getBody());

        OpenApiSchemaValidator validator = new OpenApiSchemaValidator(FakeAirflowServer.v1ComponentSchemas());
        assertThat(validator.validate(body, castMap(FakeAirflowServer.v1ComponentSchemas().get("DAGRun")))).isEmpty();
        assertThat(trigger.dagRunsUri().toString()).isEqualTo("http://127.0.0.1:8080/api/v1/dags/retrain_fraud/dagRuns");
        assertThat(body.get("dag_run_id").asText()).isEqualTo("driftwatch__a1b2c3");
        assertThat(Instant.parse(body.get("logical_date").asText()))
                .isBetween(SampleAlerts.WINDOW_END, SampleAlerts.WINDOW_END.plusSeconds(1));

        JsonNode conf = body.get("conf");
        assertThat(conf.get("model").asText()).isEqualTo("fraud");
        assertThat(conf.get("model_version").asText()).isEqualTo("7");
        assertThat(conf.get("alert_id").asText()).isEqualTo("a1b2c3");
        assertThat(conf.get("window").get("end").asText()).isEqualTo("2026-03-01T12:00:00.000Z");
        assertThat(conf.get("window").get("start").asText()).isEqualTo("2026-03-01T11:00:00.000Z");
        assertThat(conf.get("drifted_features")).hasSize(2);
        assertThat(conf.get("drifted_features").get(0).get("feature").asText()).isEqualTo("amount");
        assertThat(conf.get("drifted_features").get(0).get("tests").get(0).get("statistic").asDouble()).isEqualTo(0.41);
        assertThat(conf.get("drifted_features").get(0).get("tests").get(0).get("p_value").isNull()).isTrue();
        assertThat(conf.get("baseline_lineage").get("dataset_sha256").asText()).startsWith("9f86d081");
        assertThat(conf.get("baseline_version").asText()).isEqualTo("2026-02-01");
        assertThat(body.get("note").asText()).doesNotContain("\n").contains("a1b2c3").contains("fraud");
    }

    @Test
    void airflow3BodyFollowsTriggerDagRunPostBodyWithANullLogicalDate() throws Exception {
        AirflowDagTrigger trigger = new AirflowDagTrigger(config("3", Map.of()));
        JsonNode body = JSON.readTree(trigger.build(SampleAlerts.firing("x9", "fraud", SampleAlerts.WINDOW_END), 0L).getBody());

        assertThat(new OpenApiSchemaValidator(Map.of()).validate(body, FakeAirflowServer.v2TriggerBodySchema())).isEmpty();
        assertThat(body.has("logical_date")).isTrue();
        assertThat(body.get("logical_date").isNull()).isTrue();
        assertThat(trigger.dagRunsUri().toString()).isEqualTo("http://127.0.0.1:8080/api/v2/dags/retrain_fraud/dagRuns");
        assertThat(trigger.tokenUri().toString()).isEqualTo("http://127.0.0.1:8080/auth/token");

        JsonNode withDate = JSON.readTree(new AirflowDagTrigger(config("3", Map.of("logical-date", "window-end")))
                .build(SampleAlerts.firing("x9", "fraud", SampleAlerts.WINDOW_END), 0L).getBody());
        assertThat(withDate.get("logical_date").isTextual()).isTrue();
        assertThat(new OpenApiSchemaValidator(Map.of()).validate(withDate, FakeAirflowServer.v2TriggerBodySchema())).isEmpty();
    }

    @Test
    void aReplayedAlertBuildsTheSameRequestAndDifferentAlertsDoNotShareALogicalDate() {
        AirflowDagTrigger trigger = new AirflowDagTrigger(config("2", Map.of()));
        DriftAlert alert = SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END);
        assertThat(trigger.build(alert, 1L).getBody()).isEqualTo(trigger.build(DriftAlert.newBuilder(alert).build(), 99L).getBody());

        // Two models whose windows end together: Airflow 2 would answer 409 for a shared logical date.
        Instant a = AirflowDagTrigger.logicalDate(SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END));
        Instant b = AirflowDagTrigger.logicalDate(SampleAlerts.firing("b2", "churn", SampleAlerts.WINDOW_END));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void nonFiniteStatisticsTravelAsNullSoAirflowAcceptsTheBody() throws Exception {
        DriftAlert alert = SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END);
        alert.getFeatures().get(0).getTests().get(0).setStatistic(Double.POSITIVE_INFINITY);
        alert.setDriftShare(Double.NaN);
        String body = new AirflowDagTrigger(config("3", Map.of())).build(alert, 0L).getBody();
        JsonNode conf = JSON.readTree(body).get("conf");
        assertThat(conf.get("drift_share").isNull()).isTrue();
        assertThat(conf.get("drifted_features").get(0).get("tests").get(0).get("statistic").isNull()).isTrue();
        assertThat(body).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void runIdStaysWithinAirflowsAlphabet() {
        assertThat(AirflowDagTrigger.dagRunId("0123abcd")).isEqualTo("driftwatch__0123abcd");
        String odd = AirflowDagTrigger.dagRunId("model/ä b");
        assertThat(odd).matches("driftwatch__[0-9a-f]{32}");
        assertThat(AirflowDagTrigger.dagRunId("model/ä b")).isEqualTo(odd);
    }

    @Test
    void triggerOnSelectsTheAlerts() {
        DriftAlert firingCritical = SampleAlerts.alert("1", AlertStatus.FIRING, Severity.CRITICAL, "m", SampleAlerts.WINDOW_END);
        DriftAlert firingWarning = SampleAlerts.alert("2", AlertStatus.FIRING, Severity.WARNING, "m", SampleAlerts.WINDOW_END);
        DriftAlert resolved = SampleAlerts.alert("3", AlertStatus.RESOLVED, Severity.WARNING, "m", SampleAlerts.WINDOW_END);

        AirflowDagTrigger firing = new AirflowDagTrigger(config("3", Map.of()));
        assertThat(firing.qualifies(firingCritical)).isTrue();
        assertThat(firing.qualifies(firingWarning)).isTrue();
        assertThat(firing.qualifies(resolved)).isFalse();

        AirflowDagTrigger both = new AirflowDagTrigger(config("3", Map.of("trigger-on", "firing-and-resolved")));
        assertThat(both.qualifies(resolved)).isTrue();

        AirflowDagTrigger dataset = new AirflowDagTrigger(config("3", Map.of("trigger-on", "DATASET_DRIFT_ONLY")));
        assertThat(dataset.qualifies(firingCritical)).isTrue();
        assertThat(dataset.qualifies(firingWarning)).isFalse();
        assertThat(dataset.qualifies(resolved)).isFalse();
    }

    @Test
    void noteIsOneLineWithinAirflowsLimit() {
        DriftAlert alert = SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END);
        alert.setSummary("x\n".repeat(2000));
        String note = AirflowDagTrigger.note(alert);
        assertThat(note).hasSizeLessThanOrEqualTo(AirflowDagTrigger.MAX_NOTE_LENGTH).doesNotContain("\n").endsWith("a1]");
    }

    @Test
    void pendingTriggerKeepsItsAcceptanceTime() {
        PendingTrigger t = new AirflowDagTrigger(config("3", Map.of()))
                .build(SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END), 1234L);
        assertThat(t.getAcceptedAtMillis()).isEqualTo(1234L);
        assertThat(t.getAttempts()).isZero();
        assertThat(t.getModel()).isEqualTo("fraud");
        assertThat(Duration.ofMillis(t.getAcceptedAtMillis())).isEqualTo(Duration.ofMillis(1234));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
