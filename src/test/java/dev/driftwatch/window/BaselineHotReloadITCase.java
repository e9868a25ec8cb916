package dev.driftwatch.window;

import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.baseline.BaselinePublisher;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.baseline.ModelBaselines;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
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
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Baselines from the compacted baseline topic, changed while the job runs: the job starts on v1; v2 (a retrained
 * model) is published and the model's events switch to v2; then v1 is retired with tombstones while an old
 * deployment keeps sending v1 events, which fall back to the newest baseline, v2. One job throughout, no restart
 * (restart strategy none: any failure would end it), no event lost.
 */
class BaselineHotReloadITCase {
    static final String MODEL = "fraud";
    static final long T0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final long GAP_MS = 250;
    static final String EVENTS = "hot-events";
    static final String BASELINES = "hot-baselines";
    static final String RESULTS = "hot-results";
    static final String ALERTS = "hot-alerts";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @TempDir
    static Path tmp;

    long nextEventIndex;

    @Test
    void aBaselinePublishedOrRetiredWhileTheJobRunsIsUsedFromTheNextWindowOnWithoutRestartOrLoss() throws Exception {
        List<FeatureBaseline> v1 = baselines("v1", 11);
        List<FeatureBaseline> v2 = baselines("v2", 12);
        BaselineLineage v1Lineage = v1.get(0).getLineage();
        BaselineLineage v2Lineage = v2.get(0).getLineage();
        assertThat(v2Lineage.getDatasetSha256()).isNotEqualTo(v1Lineage.getDatasetSha256());

        BaselinePublisher publisher = new BaselinePublisher(KAFKA.bootstrapServers(), BASELINES, Map.of());
        publisher.publish(v1);
        KAFKA.createTopic(EVENTS, 1);
        for (String t : List.of(RESULTS, ALERTS, "hot-dlq")) {
            KAFKA.createTopic(t, 1);
        }
        DriftConfig config = config();
        BaselineSource source = DriftJob.baselineSource(config);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestart);
        env.setParallelism(1);
        DriftJob.configureEnvironment(env, config);
        KafkaSource<DecodedRecord> events = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(KAFKA.bootstrapServers())
                .setTopics(EVENTS)
                .setGroupId("hot")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new EventDeserializer(true))
                .build();
        DriftJob.defineWorkflow(env, config, events, DriftJob.kafkaSinks(config));
        JobClient job = env.executeAsync("driftwatch-hot-reload");
        try (BaselineSource.Subscription view = source.subscribe()) {
            // phase 1: the model serves v1, judged against baseline v1
            int phase1 = send("v1", T0, T0 + 20 * MINUTE, List.of());
            awaitResult(r -> r.getModelVersion().equals("v1") && end(r) == T0 + 18 * MINUTE);

            // a retrained model: v2's baseline is published, then the model's events switch to v2 (drifting on f3, f7)
            publisher.publish(v2);
            await("the job's JVM sees baseline v2", () -> version(view, "v2").equals("v2"));
            SyntheticTraffic.Shift shift = new SyntheticTraffic.Shift(T0 + 26 * MINUTE, T0 + 40 * MINUTE, Set.of("f3", "f7"), 1.5);
            int phase2 = send("v2", T0 + 20 * MINUTE, T0 + 40 * MINUTE, List.of(shift));
            awaitResult(r -> r.getModelVersion().equals("v2") && end(r) == T0 + 38 * MINUTE);

            // v1 is retired: an old deployment still sending v1 falls back to the newest baseline, v2
            assertThat(publisher.retire(MODEL, "v1", null, Duration.ofSeconds(30))).hasSize(v1.size());
            await("the job's JVM no longer has baseline v1", () -> version(view, "v1").equals("v2"));
            int phase3 = send("v1", T0 + 40 * MINUTE, T0 + 60 * MINUTE, List.of());
            send("v1", T0 + 70 * MINUTE, T0 + 70 * MINUTE + GAP_MS, List.of()); // moves the watermark past minute 60
            List<FeatureDriftResult> results = awaitResult(r -> r.getModelVersion().equals("v1") && end(r) == T0 + 60 * MINUTE);

            assertThat(job.getJobStatus().get()).as("the same job still runs: it never failed or restarted")
                    .isEqualTo(JobStatus.RUNNING);

            List<FeatureDriftResult> f0 = results.stream().filter(r -> r.getFeature().equals("f0")).toList();
            List<FeatureDriftResult> first = between(f0, 0, 20);
            List<FeatureDriftResult> second = between(f0, 20, 40);
            List<FeatureDriftResult> third = between(f0, 40, 60);
            assertThat(first).hasSize(10).allSatisfy(r -> {
                assertThat(r.getModelVersion()).isEqualTo("v1");
                assertThat(r.getBaselineVersion()).isEqualTo("v1");
                assertThat(r.getLineage()).isEqualTo(v1Lineage);
            });
            assertThat(second).as("windows after v2's publication are judged against v2").hasSize(10).allSatisfy(r -> {
                assertThat(r.getModelVersion()).isEqualTo("v2");
                assertThat(r.getBaselineVersion()).isEqualTo("v2");
                assertThat(r.getLineage()).isEqualTo(v2Lineage);
            });
            assertThat(third).as("after the tombstone, v1 events use the newest baseline, v2").hasSize(10).allSatisfy(r -> {
                assertThat(r.getModelVersion()).isEqualTo("v1");
                assertThat(r.getBaselineVersion()).isEqualTo("v2");
                assertThat(r.getLineage()).isEqualTo(v2Lineage);
            });
            assertThat(events(first)).as("no event lost in phase 1").isEqualTo(phase1);
            assertThat(events(second)).as("no event lost in phase 2").isEqualTo(phase2);
            assertThat(events(third)).as("no event lost in phase 3").isEqualTo(phase3);

            List<DriftAlert> alerts = KAFKA.readAll(ALERTS, true).stream().map(r -> alert(r.value())).toList();
            assertThat(alerts).as("only v2's drift fires").singleElement().satisfies(a -> {
                assertThat(a.getStatus()).isEqualTo(AlertStatus.FIRING);
                assertThat(a.getModelVersion()).isEqualTo("v2");
                assertThat(a.getBaselineVersion()).isEqualTo("v2");
                assertThat(a.getLineage().getDatasetSha256()).isEqualTo(v2Lineage.getDatasetSha256());
                assertThat(a.getLineage().getRows()).isEqualTo(5000);
                assertThat(a.getLineage().getCreatedAt()).isEqualTo(v2Lineage.getCreatedAt());
            });
        } finally {
            job.cancel().get();
        }
    }

    static List<FeatureBaseline> baselines(String version, long seed) throws Exception {
        Path training = tmp.resolve("training-" + version + ".csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(seed, 5000));
        Thread.sleep(5); // v2 is built strictly later than v1: the newest baseline is v2
        return BaselineStore.readFile(TrainingBaselines.build(training, MODEL, version, "score", tmp.resolve(version)));
    }

    static DriftConfig config() {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", KAFKA.bootstrapServers());
        kafka.put("events-topic", EVENTS);
        kafka.put("alerts-topic", ALERTS);
        kafka.put("results-topic", RESULTS);
        kafka.put("dead-letter-topic", "hot-dlq");
        kafka.put("group-id", "hot");
        return DriftConfig.fromMap(Map.of(
                "kafka", kafka,
                "window", Map.of("size", "2m", "slide", "2m", "out-of-orderness", "1s", "idleness", "1h", "min-events", 1),
                "baselines", Map.of("topic", BASELINES),
                "checkpointing", Map.of("interval", "200ms")));
    }

    /** Sends events of a model version with event times in [from, to), one every GAP_MS; returns how many. */
    int send(String version, long from, long to, List<SyntheticTraffic.Shift> shifts) throws Exception {
        SyntheticTraffic traffic = new SyntheticTraffic(MODEL, version, 42, shifts);
        List<byte[]> out = new ArrayList<>();
        for (long t = from; t < to; t += GAP_MS) {
            out.add(AvroBytes.singleObject(traffic.event(nextEventIndex++, t)));
        }
        KAFKA.send(EVENTS, 0, out);
        return out.size();
    }

    static String version(BaselineSource.Subscription view, String eventVersion) {
        ModelBaselines mb = view.current().forEvent(MODEL, eventVersion);
        return mb == null ? "" : mb.version();
    }

    static long end(FeatureDriftResult r) {
        return r.getWindowEnd().toEpochMilli();
    }

    static List<FeatureDriftResult> between(List<FeatureDriftResult> results, long fromMinute, long toMinute) {
        return results.stream()
                .filter(r -> end(r) > T0 + fromMinute * MINUTE && end(r) <= T0 + toMinute * MINUTE).toList();
    }

    static long events(List<FeatureDriftResult> windows) {
        return windows.stream().mapToLong(r -> r.getCount() + r.getMissingCount()).sum();
    }

    /** Reads the committed results until one matches; returns all of them. */
    static List<FeatureDriftResult> awaitResult(Predicate<FeatureDriftResult> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            List<FeatureDriftResult> all = KAFKA.readAll(RESULTS, true).stream()
                    .map(r -> result(r.value())).toList();
            if (all.stream().anyMatch(wanted)) {
                return all;
            }
            assertThat(System.nanoTime()).as("a result was expected within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    static void await(String what, Supplier<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as(what + " within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static FeatureDriftResult result(byte[] bytes) {
        try {
            return FeatureDriftResult.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (Exception e) {
            throw new AssertionError("results topic holds a record that is not a FeatureDriftResult", e);
        }
    }

    static DriftAlert alert(byte[] bytes) {
        try {
            return DriftAlert.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (Exception e) {
            throw new AssertionError("alert topic holds a record that is not a DriftAlert", e);
        }
    }
}
