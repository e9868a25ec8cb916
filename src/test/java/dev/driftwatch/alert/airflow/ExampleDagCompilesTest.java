package dev.driftwatch.alert.airflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example retraining DAG users copy into Airflow is valid Python and reads what the sink sends. */
class ExampleDagCompilesTest {
    private static final Path DAG = Path.of("examples/airflow/dags/driftwatch_retrain.py");

    @Test
    void exampleDagCompilesWithPython3() throws Exception {
        assertThat(DAG).exists();
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "py_compile", DAG.toString())
                .redirectErrorStream(true);
        // Keep the byte code out of the source tree.
        pb.environment().put("PYTHONPYCACHEPREFIX", Path.of("target", "pycache").toAbsolutePath().toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void exampleDagReadsTheConfKeysTheSinkSends() throws Exception {
        String source = Files.readString(DAG);
        for (String key : new String[] {"\"model\"", "\"model_version\"", "\"window\"", "\"alert_id\"",
                "\"drifted_features\"", "\"baseline_lineage\"", "\"status\""}) {
            assertThat(source).contains(key);
        }
        String conf = new AirflowDagTrigger(AirflowDagTriggerTest.config("3", java.util.Map.of()))
                .conf(SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END)).toString();
        for (String key : new String[] {"\"model\"", "\"model_version\"", "\"window\"", "\"alert_id\"",
                "\"drifted_features\"", "\"baseline_lineage\"", "\"status\""}) {
            assertThat(conf).contains(key);
        }
        assertThat(source).contains("baseline build").contains("baseline publish");
    }
}
