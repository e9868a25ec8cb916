package dev.driftwatch.config;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AirflowTriggerConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new HashMap<>();
        m.put("base-url", "https://airflow.example.internal:8080/");
        m.put("api-version", 3);
        m.put("dag-id", "retrain_fraud");
        m.put("username-env", "AIRFLOW_USER");
        m.put("password-file", "/run/secrets/airflow-password");
        return m;
    }

    @Test
    void defaultsFollowTheIssue() {
        AirflowTriggerConfig c = AirflowTriggerConfig.fromMap(minimal());
        assertThat(c.baseUrl().toString()).isEqualTo("https://airflow.example.internal:8080");
        assertThat(c.apiVersion()).isEqualTo(AirflowTriggerConfig.ApiVersion.AIRFLOW_3);
        assertThat(c.triggerOn()).isEqualTo(AirflowTriggerConfig.TriggerOn.FIRING);
        assertThat(c.cooldown()).isEqualTo(Duration.ofHours(6));
        assertThat(c.logicalDate()).isEqualTo(AirflowTriggerConfig.LogicalDate.NONE);
        assertThat(c.maxInFlight()).isEqualTo(4);
        assertThat(c.maxPending()).isEqualTo(10_000);
        assertThat(c.deadLetterOrigin()).isEqualTo("airflow:retrain_fraud");
    }

    @Test
    void nestedAndDottedKeysAndDurationsAreRead() {
        Map<String, Object> m = minimal();
        m.put("api-version", "2");
        m.put("cooldown", "30m");
        m.put("retry", Map.of("max-age", "PT2H", "initial-backoff", "250ms"));
        m.put("retry.max-attempts", 5);
        m.put("trigger-on", "dataset-drift-only");
        ConfigBinder.Bound<AirflowTriggerConfig> bound = ConfigBinder.bind("airflow", AirflowTriggerConfig.class, m);
        AirflowTriggerConfig c = bound.value();
        assertThat(bound.warnings()).containsExactly(
                "airflow.retry.max-age: 'PT2H' is ISO-8601: write 2h; ISO durations will stop being read in a later version");
        assertThat(c.cooldown()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.retry().maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(c.retry().initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.retry().maxAttempts()).isEqualTo(5);
        assertThat(c.logicalDate()).isEqualTo(AirflowTriggerConfig.LogicalDate.WINDOW_END);
        assertThat(c.triggerOn()).isEqualTo(AirflowTriggerConfig.TriggerOn.DATASET_DRIFT_ONLY);
    }

    @Test
    void aPasswordInTheConfigIsRefusedWithoutEchoingIt() {
        Map<String, Object> m = minimal();
        m.put("password", "hunter2-secret");
        assertThatThrownBy(() -> AirflowTriggerConfig.fromMap(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("airflow.password: ")
                .hasMessageContaining("password-env")
                .hasMessageNotContaining("hunter2-secret");
    }

    @Test
    void errorsNameTheKey() {
        assertError("password-file", null, "airflow.password-env: ");
        assertError("api-version", "4", "airflow.api-version: ");
        assertError("base-url", "ftp://x", "airflow.base-url: ");
        assertError("base-url", "http://ops:pw@airflow:8080", "airflow.base-url: must not contain credentials");
        assertError("cooldown", "six hours", "airflow.cooldown: ");
        assertError("max-in-flight", 0, "airflow.max-in-flight: ");
        assertError("trigger-on", "ALWAYS", "airflow.trigger-on: ");
        assertError("dag-id", "bad dag id", "airflow.dag-id: ");
        assertError("retyr.max-age", "1h", "airflow.retyr.max-age: unknown key");
        assertError("trust-store-path", "/tmp/x.p12", "airflow.trust-store-path: only used with an https");
    }

    @Test
    void credentialsUrlErrorDoesNotEchoThePassword() {
        Map<String, Object> m = minimal();
        m.put("base-url", "http://ops:pw-in-url@airflow:8080");
        assertThatThrownBy(() -> AirflowTriggerConfig.fromMap(m)).hasMessageNotContaining("pw-in-url");
    }

    private static void assertError(String key, Object value, String expectedPrefix) {
        Map<String, Object> m = minimal();
        if (key.equals("trust-store-path")) {
            m.put("base-url", "http://airflow:8080");
        }
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        assertThatThrownBy(() -> AirflowTriggerConfig.fromMap(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(expectedPrefix);
    }
}
