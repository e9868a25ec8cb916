package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AirflowCredentialsTest {
    @TempDir
    Path dir;

    private static AirflowTriggerConfig config(Map<String, Object> credentialKeys) {
        Map<String, Object> m = new HashMap<>(Map.of("base-url", "http://127.0.0.1:8080", "api-version", "2",
                "dag-id", "retrain"));
        m.putAll(credentialKeys);
        return AirflowTriggerConfig.fromMap(m);
    }

    @Test
    void readsFromEnvironmentVariablesAndFiles() throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "from-file-pw\n");
        AirflowCredentials fromFile = AirflowCredentials.load(
                config(Map.of("username-env", "AF_USER", "password-file", file.toString())),
                Map.of("AF_USER", "ops")::get);
        assertThat(fromFile.username()).isEqualTo("ops");
        assertThat(fromFile.password()).isEqualTo("from-file-pw");

        AirflowCredentials fromEnv = AirflowCredentials.load(
                config(Map.of("username", "svc", "password-env", "AF_PW")), Map.of("AF_PW", "env-pw")::get);
        assertThat(fromEnv.password()).isEqualTo("env-pw");
        assertThat(fromEnv.basicAuthorization()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString("svc:env-pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void toStringAndRedactNeverShowTheSecret() {
        AirflowCredentials c = new AirflowCredentials("ops", "Tr0ub4dor&3");
        assertThat(c.toString()).doesNotContain("Tr0ub4dor&3").contains("ops");
        String basic = c.basicAuthorization().substring("Basic ".length());
        String echoed = "bad request: password=Tr0ub4dor&3 header=" + basic + " token=tok-123";
        assertThat(c.redact(echoed, "tok-123")).doesNotContain("Tr0ub4dor&3").doesNotContain(basic)
                .doesNotContain("tok-123").contains("bad request");
    }

    @Test
    void missingSourcesNameTheKeyAndTheVariable() {
        assertThatThrownBy(() -> AirflowCredentials.load(config(Map.of("username", "ops", "password-env", "NOPE")),
                Map.<String, String>of()::get))
                .hasMessageStartingWith("airflow.password-env: ").hasMessageContaining("NOPE");
        assertThatThrownBy(() -> AirflowCredentials.load(config(Map.of("username", "ops",
                "password-file", dir.resolve("missing").toString())), Map.<String, String>of()::get))
                .hasMessageStartingWith("airflow.password-file: ");
    }
}
