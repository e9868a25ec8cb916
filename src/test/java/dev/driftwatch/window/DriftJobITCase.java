package dev.driftwatch.window;

import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.jobgraph.JobEdge;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Order;
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
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming job end to end on a real broker and a MiniCluster: a stable stream, a mean shift of 1.5 on two of
 * ten features, stable again. Checks detection, resolution, determinism across parallelism and exactly-once
 * alerts across a task failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftJobITCase {
    static final String MODEL = "fraud";
    static final String VERSION = "v1";
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final Duration SIZE = Duration.ofMinutes(10);
    static final Duration SLIDE = Duration.ofMinutes(2);
    static final long SHIFT_FROM = T0 + Duration.ofMinutes(60).toMillis();
    static final long SHIFT_TO = T0 + Duration.ofMinutes(90).toMillis();
    static final long END = T0 + Duration.ofMinutes(130).toMillis();
    static final long EVENT_GAP_MS = 250;
    static final Set<String> SHIFTED = Set.of("f3", "f7");
    static final String EVENTS = "events";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path tmp;
    static Path baselineDir;
    static int eventCount;

    @BeforeAll
    static void produceTraffic() throws Exception {
        Path training = tmp.resolve("training.csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(11, 5000));
        baselineDir = tmp.resolve("baselines");
        TrainingBaselines.build(training, MODEL, VERSION, "score", baselineDir);

        KAFKA.createTopic(EVENTS, 2);
        SyntheticTraffic traffic = new SyntheticTraffic(MODEL, VERSION, 42,
                List.of(new SyntheticTraffic.Shift(SHIFT_FROM, SHIFT_TO, SHIFTED, 1.5)));
        List<byte[]> p0 = new ArrayList<>();
        List<byte[]> p1 = new ArrayList<>();
        long i = 0;
        for (long t = T0; t < END; t += EVENT_GAP_MS, i++) {
            byte[] bytes = AvroBytes.singleObject(traffic.event(i, t));
            (i % 2 == 0 ? p0 : p1).add(bytes);
        }
        eventCount = (int) i;
        KAFKA.send(EVENTS, 0, p0);
        KAFKA.send(EVENTS, 1, p1);
    }

    static DriftConfig config(String run) {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", KAFKA.bootstrapServers());
        kafka.put("events-topic", EVENTS);
        kafka.put("alerts-topic", "alerts-" + run);
        kafka.put("results-topic", "results-" + run);
        kafka.put("dead-letter-topic", "dlq-" + run);
        kafka.put("group-id", "driftwatch-" + run);
        kafka.put("starting-offsets", "earliest");
        return DriftConfig.fromMap(Map.of(
                "kafka", kafka,
                "window", Map.of("size", "10m", "slide", "2m", "out-of-orderness", "5s", "idleness", "10s"),
                "baselines", Map.of("directory", baselineDir.toString()),
                "checkpointing", Map.of("interval", "200ms")));
    }

    /** Runs the job bounded over the whole events topic and returns the committed alerts, in topic order. */
    static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    static List<DriftAlert> run(String name, int parallelism, boolean failOnce) throws Exception {
        String run = name + "-" + RUNS.incrementAndGet();
        DriftConfig config = config(run);
        for (String topic : List.of(config.kafka().alertsTopic(), config.kafka().resultsTopic(), config.kafka().deadLetterTopic())) {
            KAFKA.createTopic(topic, 1);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restart = new Configuration();
        restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        env.configure(restart);
        env.setParallelism(parallelism);
        DriftJob.configureEnvironment(env, config);
        KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(KAFKA.bootstrapServers())
                .setTopics(EVENTS)
                .setGroupId("driftwatch-" + run)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(failOnce ? new FailingOnceDeserializer(eventCount / 2) : new EventDeserializer(true))
                .build();
        DriftJob.defineWorkflow(env, config, source, DriftJob.kafkaSinks(config));
        JobExecutionResult result = env.execute("driftwatch-" + run);
        assertThat(result.getJobExecutionResult()).isNotNull();
        return KAFKA.readAll(config.kafka().alertsTopic(), true).stream()
                .map(r -> decode(r.value())).collect(Collectors.toList());
    }

    static DriftAlert decode(byte[] bytes) {
        try {
            return DriftAlert.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (Exception e) {
            throw new AssertionError("alert topic holds a record that is not a DriftAlert", e);
        }
    }

    /** What makes two alerts the same to an operator (created_at is processing time and may differ). */
    static String identity(DriftAlert a) {
        return a.getAlertId() + " " + a.getStatus() + " " + a.getWindowEnd() + " " + drifted(a);
    }

    static Set<String> drifted(DriftAlert a) {
        return a.getFeatures().stream().map(AlertFeature::getFeature)
                .filter(f -> !f.equals(Baseline.PREDICTION_FEATURE)).collect(Collectors.toCollection(TreeSet::new));
    }

    static List<DriftAlert> parallel2;

    @Test
    @Order(1)
    void detectsTheShiftOnExactlyTheShiftedFeaturesAndResolvesAfterIt() throws Exception {
        parallel2 = run("p2", 2, false);
        List<DriftAlert> firing = parallel2.stream().filter(a -> a.getStatus() == AlertStatus.FIRING).toList();
        List<DriftAlert> resolved = parallel2.stream().filter(a -> a.getStatus() == AlertStatus.RESOLVED).toList();

        assertThat(firing).as("no FIRING alert for windows of the stable phase")
                .allMatch(a -> a.getWindowEnd().toEpochMilli() > SHIFT_FROM);
        assertThat(firing).as("exactly one drift episode").hasSize(1);
        DriftAlert fire = firing.get(0);
        assertThat(drifted(fire)).containsExactlyInAnyOrderElementsOf(SHIFTED);
        assertThat(fire.getWindowEnd().toEpochMilli()).isLessThanOrEqualTo(SHIFT_FROM + SIZE.toMillis() + SLIDE.toMillis());
        assertThat(fire.getModel()).isEqualTo(MODEL);
        assertThat(fire.getLineage()).isNotNull();
        assertThat(fire.getLineage().getRows()).isEqualTo(5000);

        assertThat(resolved).hasSize(1);
        assertThat(resolved.get(0).getWindowEnd().toEpochMilli()).isGreaterThan(SHIFT_TO);
        assertThat(resolved.get(0).getWindowEnd()).isAfter(fire.getWindowEnd());
    }

    @Test
    @Order(2)
    void sameInputGivesTheSameAlertsAtParallelismOneAndTwo() throws Exception {
        if (parallel2 == null) {
            parallel2 = run("p2", 2, false);
        }
        List<DriftAlert> parallel1 = run("p1", 1, false);
        assertThat(parallel1.stream().map(DriftJobITCase::identity).toList())
                .isNotEmpty()
                .containsExactlyElementsOf(parallel2.stream().map(DriftJobITCase::identity).toList());
    }

    @Test
    @Order(3)
    void aTaskFailureMidStreamGivesExactlyTheAlertsOfARunWithoutIt() throws Exception {
        if (parallel2 == null) {
            parallel2 = run("p2", 2, false);
        }
        FailingOnceDeserializer.FAILED.set(false);
        List<DriftAlert> withFailure = run("failover", 2, true);
        assertThat(FailingOnceDeserializer.FAILED).as("the injected failure happened").isTrue();
        assertThat(withFailure.stream().map(DriftJobITCase::identity).toList())
                .containsExactlyElementsOf(parallel2.stream().map(DriftJobITCase::identity).toList());
    }

    @Test
    void aClosedPanesRecordsLeaveTheSourceAtOnceWhateverTheBufferTimeout() throws Exception {
        DriftConfig config = config("flush");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.setBufferTimeout(60_000);
        DriftJob.configureEnvironment(env, config);
        DriftJob.defineWorkflow(env, config, DriftJob.kafkaSource(config), DriftJob.kafkaSinks(config));
        StreamGraph graph = env.getStreamGraph();
        List<StreamEdge> paneEdges = new ArrayList<>();
        List<Long> otherNetworkEdges = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodes()) {
            for (StreamEdge e : node.getOutEdges()) {
                if (graph.getStreamNode(e.getTargetId()).getOperatorName().contains("window-evaluator")) {
                    paneEdges.add(e);
                } else if (e.getPartitioner().getClass().getSimpleName().startsWith("KeyGroup")) {
                    otherNetworkEdges.add(e.getBufferTimeout());
                }
            }
        }
        assertThat(paneEdges).as("the pane stream into stage 2").isNotEmpty();
        // otherwise a pane's last records and its watermark would wait in a half-full buffer for the next pane
        assertThat(paneEdges).allSatisfy(e -> assertThat(e.getBufferTimeout()).as("flush after every pane record").isZero());
        assertThat(otherNetworkEdges).as("the other keyed edges keep the configured timeout").isNotEmpty().containsOnly(60_000L);
    }

    @Test
    void rawEventsCrossNoShuffleOnlyPaneProfilesAreKeyed() throws Exception {
        DriftConfig config = config("graph");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DriftJob.configureEnvironment(env, config);
        DriftJob.defineWorkflow(env, config, DriftJob.kafkaSource(config), DriftJob.kafkaSinks(config));
        JobGraph graph = env.getStreamGraph().getJobGraph();
        List<JobVertex> vertices = new ArrayList<>();
        graph.getVertices().forEach(vertices::add);
        JobVertex first = vertices.stream().filter(v -> v.getName().contains("inference-events")).findFirst().orElseThrow();
        assertThat(first.getName()).as("source, decode and pane stage are one chain").contains("pane-aggregator");
        assertThat(first.getOperatorIDs()).as("the dead-letter sink may hang off the chain, nothing else").hasSizeLessThanOrEqualTo(4);
        // every edge leaving the source's chain is the keyed pane stream (or the dead-letter sink's forward edge)
        List<JobEdge> out = new ArrayList<>();
        for (JobVertex v : vertices) {
            for (JobEdge e : v.getInputs()) {
                if (e.getSource().getProducer().equals(first)) {
                    out.add(e);
                }
            }
        }
        assertThat(out).isNotEmpty();
        for (JobEdge e : out) {
            assertThat(e.getShipStrategyName()).as("edge to " + e.getTarget().getName())
                    .satisfiesAnyOf(
                            s -> assertThat(s).isEqualToIgnoringCase("HASH"),
                            s -> assertThat(e.getTarget().getName()).contains("dead-letter"));
            if (e.getShipStrategyName().equalsIgnoreCase("HASH")) {
                assertThat(e.getTarget().getName()).contains("window-evaluator");
            }
        }
    }

    /** Fails the source once, half-way through the topic, to force a restart from the last checkpoint. */
    static final class FailingOnceDeserializer extends EventDeserializer {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final long failAtOffset;

        FailingOnceDeserializer(long failAtRecord) {
            super(true);
            this.failAtOffset = failAtRecord / 2;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
            if (record.offset() % 500 == 0) {
                try {
                    // leave room for a few checkpoints before the failure
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (record.partition() == 0 && record.offset() == failAtOffset && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at offset " + record.offset());
            }
            super.deserialize(record, out);
        }
    }
}
