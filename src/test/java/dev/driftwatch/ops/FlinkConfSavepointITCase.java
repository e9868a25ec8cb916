package dev.driftwatch.ops;

import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job on a MiniCluster configured from flink-conf/config.yaml (RocksDB, incremental checkpoints, exactly-once),
 * stopped with a savepoint while a drift episode is FIRING and restored from it: the restored alert state resolves
 * the episode, which only state mapped back through the stable uids can do.
 */
class FlinkConfSavepointITCase {
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final long SHIFT_FROM = T0 + Duration.ofMinutes(20).toMillis();
    static final long PART_TWO = T0 + Duration.ofMinutes(50).toMillis();
    static final long END = T0 + Duration.ofMinutes(90).toMillis();
    static final Path STATE = tempDir();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(projectFlinkConf())
            .build());

    @TempDir
    Path tmp;

    static Path tempDir() {
        try {
            return Files.createTempDirectory("flink-state");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** flink-conf/config.yaml as shipped, with only what a test on one machine must change. */
    static Configuration projectFlinkConf() {
        Configuration c = GlobalConfiguration.loadConfiguration(Path.of("flink-conf").toAbsolutePath().toString());
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, STATE.resolve("checkpoints").toUri().toString());
        c.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, STATE.resolve("savepoints").toUri().toString());
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.setString("metrics.reporter.prom.port", "9290-9299");
        c.removeKey("jobmanager.rpc.address");
        return c;
    }

    @Test
    void theShippedConfigIsWhatTheClusterRuns() {
        Configuration c = projectFlinkConf();
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(c.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(c.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(c.getString("execution.checkpointing.externalized-checkpoint-retention", ""))
                .isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(c.getString("metrics.reporter.prom.factory.class", ""))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    @Test
    void stopsWithASavepointWhileFiringAndTheRestoredStateResolvesTheEpisode() throws Exception {
        Path training = tmp.resolve("training.csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(31, 4000));
        Path baselines = tmp.resolve("baselines");
        TrainingBaselines.build(training, "fraud", "v1", "score", baselines);
        KAFKA.createTopic("sp-events", 2);
        for (String t : List.of("sp-alerts", "sp-dlq")) {
            KAFKA.createTopic(t, 1);
        }
        SyntheticTraffic traffic = new SyntheticTraffic("fraud", "v1", 3,
                List.of(new SyntheticTraffic.Shift(SHIFT_FROM, PART_TWO, Set.of("f3", "f7"), 1.5)));
        produce(traffic, T0, PART_TWO, 0);

        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", KAFKA.bootstrapServers());
        kafka.put("events-topic", "sp-events");
        kafka.put("alerts-topic", "sp-alerts");
        kafka.put("dead-letter-topic", "sp-dlq");
        kafka.put("group-id", "savepoint-test");
        kafka.put("starting-offsets", "earliest");
        DriftConfig config = DriftConfig.fromMap(Map.of("kafka", kafka,
                "window", Map.of("size", "10m", "slide", "2m", "out-of-orderness", "5s", "idleness", "5s"),
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "500ms")));

        JobClient first = start(config, null);
        List<DriftAlert> firing = awaitAlerts(a -> a.getStatus() == AlertStatus.FIRING);
        String savepoint = first.stopWithSavepoint(false, STATE.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        assertThat(Path.of(java.net.URI.create(savepoint)).resolve("_metadata")).exists();

        produce(traffic, PART_TWO, END, 1_000_000);
        JobClient second = start(config, savepoint);
        List<DriftAlert> all = awaitAlerts(a -> a.getStatus() == AlertStatus.RESOLVED);
        second.cancel().get(1, TimeUnit.MINUTES);

        assertThat(firing).hasSize(1);
        assertThat(all.stream().filter(a -> a.getStatus() == AlertStatus.FIRING).toList())
                .as("the restored job does not fire the same episode again").hasSize(1);
        DriftAlert resolved = all.stream().filter(a -> a.getStatus() == AlertStatus.RESOLVED).findFirst().orElseThrow();
        assertThat(resolved.getWindowEnd().toEpochMilli()).isGreaterThan(PART_TWO);
        assertThat(resolved.getFeatures()).extracting(f -> f.getFeature()).contains("f3", "f7");
    }

    static void produce(SyntheticTraffic traffic, long from, long to, long firstIndex) throws Exception {
        List<byte[]> p0 = new ArrayList<>();
        List<byte[]> p1 = new ArrayList<>();
        long i = firstIndex;
        for (long t = from; t < to; t += 400, i++) {
            (i % 2 == 0 ? p0 : p1).add(AvroBytes.singleObject(traffic.event(i, t)));
        }
        KAFKA.send("sp-events", 0, p0);
        KAFKA.send("sp-events", 1, p1);
    }

    static JobClient start(DriftConfig config, String savepoint) throws Exception {
        Configuration restore = new Configuration();
        if (savepoint != null) {
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        env.setParallelism(2);
        DriftJob.configureEnvironment(env, config);
        DriftJob.defineWorkflow(env, config, DriftJob.kafkaSource(config), DriftJob.kafkaSinks(config));
        return env.executeAsync(savepoint == null ? "before savepoint" : "restored");
    }

    static List<DriftAlert> awaitAlerts(Predicate<DriftAlert> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        List<DriftAlert> alerts = List.of();
        while (System.nanoTime() < deadline) {
            alerts = KAFKA.readAll("sp-alerts", true).stream().map(r -> decode(r.value())).toList();
            if (alerts.stream().anyMatch(until)) {
                return alerts;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no such alert within 2 minutes; alerts so far: " + alerts);
    }

    static DriftAlert decode(byte[] bytes) {
        try {
            return DriftAlert.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
