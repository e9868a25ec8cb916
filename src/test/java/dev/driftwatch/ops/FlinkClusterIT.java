package dev.driftwatch.ops;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.ops.cluster.ClusterReport;
import dev.driftwatch.ops.cluster.ClusterReport.Alert;
import dev.driftwatch.ops.cluster.ClusterScenario;
import dev.driftwatch.ops.cluster.FlinkDistribution;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The job JAR on a real Flink standalone cluster, deployed as a user deploys it: JobManager, TaskManagers, the
 * {@code flink} CLI and the application-mode entrypoint as separate JVMs with lib/ assembled from Maven Central,
 * configured with flink-conf/config.yaml as shipped plus host-local changes (addresses, bind hosts, state
 * directories). {@link ClusterScenario} drives it inside a network namespace that holds only loopback (Flink's
 * Prometheus reporter binds every interface); this test asserts what it saw. Run by failsafe after `mvn package`
 * (it submits target/driftwatch-*-job.jar); 5 to 8 minutes on 2 cores shared with other builds (load average 14 to
 * 29), timings printed. Needs root (or CAP_SYS_ADMIN) for `unshare`, and iproute2's `ip`: without them it fails
 * and says so.
 */
class FlinkClusterIT {
    /** The keys a host may change in flink-conf/config.yaml: where things listen and where state goes. */
    static final Set<String> HOST_LOCAL_KEYS = Set.of("jobmanager.rpc.address", "jobmanager.bind-host",
            "taskmanager.bind-host", "taskmanager.host", "rest.address", "rest.bind-address",
            "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir");
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void theJobJarRunsOnAStandaloneClusterConfiguredAsShipped() throws Exception {
        Path project = Path.of("").toAbsolutePath();
        Path jobJar = Path.of(required("driftwatch.job.jar"));
        assertThat(jobJar).as("the job JAR (mvn package builds it before this test)").isRegularFile();
        Path work = project.resolve("target/flink-cluster-it");
        FlinkDistribution.deleteRecursively(work);
        Files.createDirectories(work.resolve("scenario-tmp"));

        long t0 = System.nanoTime();
        FlinkDistribution dist = FlinkDistribution.assemble(project, required("flink.version"),
                Path.of(System.getProperty("user.home"), ".cache", "driftwatch"),
                System.getProperty("maven.executable", "mvn"), System.getProperty("maven.repo.local"));
        System.out.printf("FlinkClusterIT: Flink lib/ in %s (%.1f s)%n", dist.home(), (System.nanoTime() - t0) / 1e9);
        requireNetworkNamespace();

        Path reportFile = work.resolve("report.json");
        Path out = work.resolve("scenario.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(UNSHARE);
        cmd.addAll(List.of("--", "bash", "-c", "ip link set lo up && exec \"$@\"", "netns",
                java, "-Xmx1g", "-Djava.io.tmpdir=" + work.resolve("scenario-tmp"),
                "-Dlog.file=" + work.resolve("log/scenario.log"),
                "-Dlog4j2.configurationFile=" + project.resolve("src/test/resources/flink-cluster/log4j.properties"),
                "-cp", System.getProperty("java.class.path"), ClusterScenario.class.getName(),
                reportFile.toString(), work.toString(), dist.home().toString(), jobJar.toString(), project.toString()));
        long t1 = System.nanoTime();
        // killing unshare (--kill-child) ends the namespace's first process and with it every process inside
        Process scenario = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!scenario.waitFor(12, TimeUnit.MINUTES)) {
            scenario.destroyForcibly().waitFor();
            fail("the cluster scenario ran past 12 minutes; its output: " + Files.readString(out));
        }
        System.out.println(Files.readString(out));
        System.out.printf("FlinkClusterIT: scenario in a network namespace: %.1f s%n", (System.nanoTime() - t1) / 1e9);
        assertThat(reportFile).as("the scenario's report; its output:\n" + Files.readString(out)).isRegularFile();
        ClusterReport r = JSON.readValue(reportFile.toFile(), ClusterReport.class);
        assertThat(r.failure).as("the scenario ran to its end (logs in " + work.resolve("log") + ")").isNull();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(r.confChanges.keySet()).as("the cluster's conf is flink-conf/config.yaml with host-local changes only")
                .isSubsetOf(HOST_LOCAL_KEYS);
        soft.assertThat(r.javaOptions).as("Flink's processes get Java 17's --add-opens list from the shipped conf")
                .contains("--add-opens=java.base/java.util=ALL-UNNAMED");

        soft.assertThat(r.cli.state).as("flink run (CliFrontend)").isEqualTo("RUNNING");
        soft.assertThat(r.cli.parallelism).as("flink run uses parallelism.default").containsOnly(r.parallelismDefault);
        soft.assertThat(r.rest.state).as("REST /jars/upload + /jars/:id/run").isEqualTo("RUNNING");
        soft.assertThat(r.rest.parallelism).as("REST run with parallelism 2 in the request").containsOnly(2);
        soft.assertThat(r.restWithoutParallelism.parallelism)
                .as("a REST run whose request names no parallelism runs at 1, not parallelism.default (docs say so)")
                .containsOnly(1);

        soft.assertThat(r.checkpoints.completed).as("completed checkpoints").isGreaterThanOrEqualTo(2);
        soft.assertThat(r.checkpoints.stateBackend).as("state backend").contains("RocksDB");
        soft.assertThat(r.checkpoints.latestMetadataExists).as("latest checkpoint on disk: " + r.checkpoints.latestPath)
                .isTrue();

        soft.assertThat(r.metrics.driftwatchMetrics).as("driftwatch metrics scraped from " + r.metrics.urls)
                .contains("flink_taskmanager_job_task_operator_driftwatch_events_valid",
                        "flink_taskmanager_job_task_operator_driftwatch_windows_evaluated",
                        "flink_taskmanager_job_task_operator_driftwatch_alerts_firing");
        soft.assertThat(r.metrics.eventsValid).as("events_valid counts every event sent")
                .isEqualTo((double) r.metrics.eventsSentBefore);
        soft.assertThat(r.metrics.alertsFiring).as("alerts_firing").isGreaterThanOrEqualTo(1);

        soft.assertThat(r.kill.exitSignal).as(r.kill.taskManager + " died of SIGKILL").isEqualTo(9);
        soft.assertThat(r.kill.alertInOpenTransaction)
                .as("the kill hit an alert in an open transaction (" + r.kill.openTransactionAlert + ")").isTrue();
        soft.assertThat(r.kill.stateAfter).as("after the kill and a new TaskManager").isEqualTo("RUNNING");
        soft.assertThat(r.kill.restoredFromSavepoint).as("restored from its latest checkpoint").isFalse();
        soft.assertThat(r.kill.taskManagersAfter).as("runs on TaskManagers still alive").doesNotContain(r.kill.taskManager);

        soft.assertThat(r.savepointRestore.savepointMetadataExists).as("savepoint " + r.savepointRestore.savepoint).isTrue();
        soft.assertThat(r.savepointRestore.state).as("flink run -s <savepoint> -p 1").isEqualTo("RUNNING");
        soft.assertThat(r.savepointRestore.parallelism).as("restored at another parallelism").containsOnly(1);
        soft.assertThat(r.savepointRestore.restoredFromSavepoint).as("restored from the savepoint").isTrue();

        List<String> composeArgs = r.application.composeCommand.subList(1, r.application.composeCommand.size());
        soft.assertThat(r.application.entrypointArgs).as("the entrypoint got docker-compose.yml's jobmanager arguments")
                .containsSequence(composeArgs);
        soft.assertThat(r.application.state).as("application mode: " + r.application.jobManagerOutput).isEqualTo("RUNNING");

        soft.assertThat(r.referenceAlerts).extracting(Alert::status).as("alerts of the run without a kill (application mode)")
                .containsExactly("FIRING", "RESOLVED", "FIRING", "RESOLVED");
        soft.assertThat(r.killedRunAlerts)
                .as("read_committed alerts across kill -9, savepoint and restore = those of the run without them")
                .containsExactlyElementsOf(r.referenceAlerts);
        soft.assertThat(r.killedRunAlerts).extracting(Alert::alertId).as("no alert repeated").doesNotHaveDuplicates();
        System.out.println("FlinkClusterIT: " + summary(r));
        soft.assertAll();
    }

    static final List<String> UNSHARE = List.of("unshare", "--net", "--pid", "--mount", "--fork", "--kill-child",
            "--mount-proc");

    /** A network namespace with loopback up, or a failure that says why there is none: this test never skips. */
    static void requireNetworkNamespace() throws Exception {
        List<String> probe = new ArrayList<>(UNSHARE);
        probe.addAll(List.of("--", "bash", "-c", "ip link set lo up"));
        Process p;
        try {
            p = new ProcessBuilder(probe).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            fail("cannot run util-linux's unshare to make the network namespace this test runs in: " + e.getMessage());
            return;
        }
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("cannot make a network namespace with loopback up (`" + String.join(" ", probe) + "`): " + output.trim()
                    + "\nThis test runs the cluster there because Flink's Prometheus reporter binds every interface;"
                    + " it needs root (CAP_SYS_ADMIN) and iproute2's ip (Debian: apt-get install iproute2).");
        }
    }

    static String summary(ClusterReport r) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("checkpoints before the kill", r.checkpoints.completed + " " + r.checkpoints.stateBackend);
        s.put("events_valid", r.metrics.eventsValid + " of " + r.metrics.eventsSentBefore + " sent");
        s.put("kill", r.kill.taskManager + " (pid " + r.kill.killedPid + "), open transaction: "
                + r.kill.openTransactionAlert + ", restored checkpoint " + r.kill.restoredCheckpointId);
        s.put("savepoint", r.savepointRestore.savepoint + " -> parallelism " + r.savepointRestore.parallelism);
        s.put("alerts", r.killedRunAlerts.size() + " killed run, " + r.referenceAlerts.size() + " application mode");
        s.put("restarted while starting", String.valueOf(r.restartsWhileStarting));
        s.put("timings (s)", String.valueOf(r.timings));
        return s.toString();
    }

    static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            fail("system property " + property + " is not set: run this test through Maven (mvn verify), which sets it");
        }
        return v;
    }
}
