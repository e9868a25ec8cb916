package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import dev.driftwatch.testing.KafkaTestBroker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftwatch.config.AirflowTriggerConfig.ApiVersion;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.Severity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Airflow sink in a real Flink job (MiniCluster) against the fake Airflow over sockets, with a real Kafka
 * broker for the alert topic and the dead-letter topic: one run per alert on Airflow 2 and 3, replays and
 * restarts from a checkpoint without a second or a lost run, outages, a bad password, the cooldown.
 */
class AirflowTriggerSinkITCase {
    private static final String DAG = "driftwatch_retrain";
    private static final String USER = "ops";
    private static final String PASSWORD = "pw-Correct-Horse-51";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                    .build());

    @RegisterExtension
    static final KafkaTestBroker kafka = new KafkaTestBroker();

    @TempDir
    Path dir;

    // --- acceptance 1: one run per FIRING alert, with the conf the DAG needs, on both API versions

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void eachFiringAlertCreatesExactlyOneRunWithTheExpectedConf(ApiVersion version) throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(version, DAG, USER, PASSWORD)) {
            List<DriftAlert> alerts = List.of(
                    SampleAlerts.firing("a1", "fraud", T0),
                    SampleAlerts.alert("r1", AlertStatus.RESOLVED, Severity.WARNING, "fraud", T0.plusSeconds(3600)),
                    SampleAlerts.firing("b2", "churn", T0));
            JobID job = runToEnd(alerts, config(version, airflow, PASSWORD, Map.of()), "dlq-conf-" + version);

            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId)
                    .containsExactlyInAnyOrder("driftwatch__a1", "driftwatch__b2");
            FakeAirflowServer.CreatedRun fraud = airflow.runs().stream()
                    .filter(r -> r.runId().equals("driftwatch__a1")).findFirst().orElseThrow();
            assertThat(fraud.conf().get("model").asText()).isEqualTo("fraud");
            assertThat(fraud.conf().get("model_version").asText()).isEqualTo("7");
            assertThat(fraud.conf().get("alert_id").asText()).isEqualTo("a1");
            assertThat(fraud.conf().get("window").get("end").asText()).isEqualTo("2026-03-01T12:00:00.000Z");
            assertThat(fraud.conf().get("drifted_features").get(0).get("feature").asText()).isEqualTo("amount");
            assertThat(fraud.conf().get("baseline_lineage").get("source").asText()).contains("train-2026-02");
            assertThat(fraud.note()).contains("fraud").contains("a1").doesNotContain("\n");
            assertThat(counter(job, AirflowTriggerWriter.CREATED)).isEqualTo(2);
            assertThat(counter(job, AirflowTriggerWriter.DEAD_LETTERED)).isZero();
        }
    }

    // --- acceptance 2: replays and restarts create no second run and lose none

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void replayingTheSameAlertsCreatesNoSecondRun(ApiVersion version) throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(version, DAG, USER, PASSWORD)) {
            List<DriftAlert> alerts = List.of(SampleAlerts.firing("a1", "fraud", T0),
                    SampleAlerts.firing("b2", "churn", T0), SampleAlerts.firing("c3", "ranker", T0));
            AirflowTriggerConfig config = config(version, airflow, PASSWORD, Map.of());
            runToEnd(alerts, config, "dlq-replay-" + version);
            // A second job reading the alert topic from the start: no state, same alerts.
            JobID replay = runToEnd(alerts, config, "dlq-replay-" + version);

            assertThat(airflow.runs()).hasSize(3);
            assertThat(airflow.triggerStatuses()).containsExactly(200, 200, 200, 409, 409, 409);
            assertThat(counter(replay, AirflowTriggerWriter.DUPLICATE)).isEqualTo(3);
            assertThat(counter(replay, AirflowTriggerWriter.CREATED)).isZero();
        }
    }

    @Test
    void aRestartFromACheckpointMidDeliveryLosesNoTriggerAndStartsNoSecondRun() throws Exception {
        FailOnceAfterCheckpoint.reset();
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, DAG, USER, PASSWORD)) {
            // Airflow is down until the job has failed once, so the checkpoint holds undelivered triggers.
            airflow.failNext(Integer.MAX_VALUE, 503, null);
            AirflowTriggerConfig config = config(ApiVersion.AIRFLOW_3, airflow, PASSWORD, Map.of());
            int n = 12;

            StreamExecutionEnvironment env = environment();
            env.enableCheckpointing(200);
            DataGeneratorSource<DriftAlert> source = new DataGeneratorSource<>(
                    i -> SampleAlerts.firing("alert" + i, "model" + i, T0), n, RateLimiterStrategy.perSecond(6),
                    new AvroTypeInfo<>(DriftAlert.class));
            DataStream<DriftAlert> alerts = env.fromSource(source,
                            org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(), "alerts")
                    .uid("alerts").setParallelism(1)
                    .map(new FailOnceAfterCheckpoint()).name("fail-once").uid("fail-once").setParallelism(1);
            alerts.sinkTo(new AirflowTriggerSink(config, deadLetters("dlq-restart")))
                    .name("airflow").uid("airflow").setParallelism(1);
            JobClient client = env.executeAsync("restart mid-delivery");

            waitUntil(FailOnceAfterCheckpoint.FAILED::get);
            airflow.failNext(0, 503, null);
            client.getJobExecutionResult().get(3, TimeUnit.MINUTES);

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add("driftwatch__alert" + i);
            }
            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId)
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(FailOnceAfterCheckpoint.RESTORED.get())
                    .as("the job restarted from a checkpoint").isTrue();
            assertThat(Files.readString(Path.of("target/test-logs/driftwatch-tests.log")))
                    .as("the checkpoint held triggers Airflow had not accepted").containsPattern("Restored [1-9][0-9]* Airflow trigger");
            assertThat(readAll("dlq-restart")).isEmpty();
        }
    }

    // --- acceptance 3: outages and a bad password

    @Test
    void airflowAnswering503ForAWhileThenRecoveringGetsEveryTriggerOnce() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, DAG, USER, PASSWORD)) {
            airflow.failNext(15, 503, null);
            List<DriftAlert> alerts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                alerts.add(SampleAlerts.firing("x" + i, "model" + i, T0.plusSeconds(i)));
            }
            JobID job = runToEnd(alerts, config(ApiVersion.AIRFLOW_2, airflow, PASSWORD, Map.of()), "dlq-503");

            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId).containsExactlyInAnyOrder(
                    "driftwatch__x0", "driftwatch__x1", "driftwatch__x2", "driftwatch__x3", "driftwatch__x4");
            assertThat(airflow.triggerStatuses()).filteredOn(s -> s == 503).hasSize(15);
            assertThat(counter(job, AirflowTriggerWriter.RETRIED)).isEqualTo(15);
            assertThat(counter(job, AirflowTriggerWriter.CREATED)).isEqualTo(5);
            assertThat(readAll("dlq-503")).isEmpty();
        }
    }

    @Test
    void unreachableAirflowNeitherStopsTheJobNorHoldsUpTheAlertTopic() throws Exception {
        int port;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = reserved.getLocalPort();
        }
        Map<String, Object> m = baseConfig(ApiVersion.AIRFLOW_3, "http://127.0.0.1:" + port, PASSWORD);
        AirflowTriggerConfig config = AirflowTriggerConfig.fromMap(m);
        createTopic("alerts-unreachable");

        List<DriftAlert> alerts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alerts.add(SampleAlerts.firing("u" + i, "model" + i, T0));
        }
        StreamExecutionEnvironment env = environment();
        env.enableCheckpointing(200);
        DataStream<DriftAlert> stream = env.fromData(alerts, new AvroTypeInfo<>(DriftAlert.class)).name("alerts").uid("alerts");
        stream.sinkTo(KafkaSink.<DriftAlert>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setRecordSerializer(KafkaRecordSerializationSchema.<DriftAlert>builder()
                                .setTopic("alerts-unreachable")
                                .setValueSerializationSchema(new AlertIdBytes())
                                .build())
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build())
                .name("alert-topic").uid("alert-topic");
        // Its own task: waiting for Airflow at the end of input must not hold the alert sink's flush.
        stream.sinkTo(new AirflowTriggerSink(config, deadLetters("dlq-unreachable")))
                .name("airflow").uid("airflow").setParallelism(1).disableChaining();
        JobClient client = env.executeAsync("airflow unreachable");

        waitUntil(() -> readAll("alerts-unreachable").size() == 5);
        waitUntil(() -> gauge(client.getJobID(), AirflowTriggerWriter.PENDING) == 5);
        assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        assertThat(counter(client.getJobID(), AirflowTriggerWriter.RETRIED)).isPositive();
        assertThat(readAll("dlq-unreachable")).isEmpty();

        // Airflow comes back on its address: the pending triggers get through and the job ends.
        try (FakeAirflowServer airflow = FakeAirflowServer.startOnPort(ApiVersion.AIRFLOW_3, DAG, USER, PASSWORD, port)) {
            client.getJobExecutionResult().get(3, TimeUnit.MINUTES);
            assertThat(airflow.runs()).hasSize(5);
        }
        assertThat(readAll("alerts-unreachable")).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("u0", "u1", "u2", "u3", "u4");
    }

    @Test
    void aLongOutageIsBoundedByThePendingCapAndTheRetryAgeThenDeadLettered() throws Exception {
        int port;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = reserved.getLocalPort();
        }
        Map<String, Object> m = baseConfig(ApiVersion.AIRFLOW_2, "http://127.0.0.1:" + port, PASSWORD);
        m.put("max-pending", 2);
        m.put("retry", Map.of("initial-backoff", "20ms", "max-backoff", "200ms", "max-age", "2s"));
        List<DriftAlert> alerts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alerts.add(SampleAlerts.firing("o" + i, "model" + i, T0));
        }
        JobID job = runToEnd(alerts, AirflowTriggerConfig.fromMap(m), "dlq-overflow");

        List<DeadLetter> deadLetters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll("dlq-overflow")) {
            deadLetters.add(decode(r.value()));
        }
        assertThat(deadLetters).extracting(DeadLetter::getReason).containsExactlyInAnyOrder(
                "AIRFLOW_UNREACHABLE", "AIRFLOW_UNREACHABLE", "AIRFLOW_OVERFLOW", "AIRFLOW_OVERFLOW", "AIRFLOW_OVERFLOW");
        assertThat(deadLetters).allSatisfy(d -> assertThat(d.getTopic()).isEqualTo("airflow:" + DAG));
        assertThat(counter(job, AirflowTriggerWriter.DEAD_LETTERED)).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aBadPasswordIsDeadLetteredCountedAndNeverLogged(ApiVersion version) throws Exception {
        String wrongPassword = "Wr0ng-Pa55-" + version.pathVersion() + "-never-log-me";
        try (FakeAirflowServer airflow = FakeAirflowServer.start(version, DAG, USER, PASSWORD)) {
            String dlq = "dlq-badpw-" + version;
            JobID job = runToEnd(List.of(SampleAlerts.firing("p1", "fraud", T0)),
                    config(version, airflow, wrongPassword, Map.of()), dlq);

            assertThat(airflow.runs()).isEmpty();
            assertThat(counter(job, AirflowTriggerWriter.DEAD_LETTERED)).isEqualTo(1);
            List<ConsumerRecord<byte[], byte[]>> records = readAll(dlq);
            assertThat(records).hasSize(1);
            DeadLetter dead = decode(records.get(0).value());
            assertThat(dead.getReason()).isEqualTo("AIRFLOW_REJECTED");
            assertThat(dead.getTopic()).isEqualTo("airflow:" + DAG);
            assertThat(dead.getPartition()).isEqualTo(-1);
            assertThat(dead.getOffset()).isEqualTo(-1L);
            assertThat(dead.getError()).contains("401");
            String rawValue = StandardCharsets.UTF_8.decode(dead.getRawValue()).toString();
            assertThat(rawValue).contains("driftwatch__p1").contains("\"conf\"");
            String basic = Base64.getEncoder().encodeToString((USER + ":" + wrongPassword).getBytes(StandardCharsets.UTF_8));
            assertThat(dead.toString()).doesNotContain(wrongPassword).doesNotContain(basic);
            assertThat(new String(records.get(0).value(), StandardCharsets.ISO_8859_1)).doesNotContain(wrongPassword);

            String log = Files.readString(Path.of("target/test-logs/driftwatch-tests.log"));
            assertThat(log).as("the log file is written, so the grep below means something")
                    .contains("driftwatch__p1").contains("dead-lettered");
            assertThat(log).doesNotContain(wrongPassword).doesNotContain(basic);
        }
    }

    @Test
    void aParallelismOtherThanOneIsRefusedWithAClearMessage() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, DAG, USER, PASSWORD)) {
            StreamExecutionEnvironment env = environment();
            env.fromData(List.of(SampleAlerts.firing("p1", "fraud", T0)), new AvroTypeInfo<>(DriftAlert.class))
                    .name("alerts").uid("alerts")
                    .sinkTo(new AirflowTriggerSink(config(ApiVersion.AIRFLOW_3, airflow, PASSWORD, Map.of()),
                            deadLetters("dlq-parallelism")))
                    .name("airflow").uid("airflow").setParallelism(2);
            JobClient client = env.executeAsync("parallelism 2");
            assertThatThrownBy(() -> client.getJobExecutionResult().get(3, TimeUnit.MINUTES))
                    .hasStackTraceContaining("must run at parallelism 1");
            assertThat(airflow.runs()).isEmpty();
        }
    }

    // --- acceptance 4: cooldown

    @Test
    void twoEpisodesInsideTheCooldownGiveOneRunAndAfterItTwo() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, DAG, USER, PASSWORD)) {
            AirflowTriggerConfig config = config(ApiVersion.AIRFLOW_3, airflow, PASSWORD, Map.of("cooldown", "6h"));
            // Alerts carry their emission time (created_at): the cooldown's clock.
            JobID inside = runToEnd(List.of(
                    SampleAlerts.firing("in1", "fraud", T0),
                    SampleAlerts.firing("in2", "fraud", T0.plus(Duration.ofHours(2)))), config, "dlq-cooldown");
            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId).containsExactly("driftwatch__in1");
            assertThat(counter(inside, AirflowTriggerWriter.SUPPRESSED_COOLDOWN)).isEqualTo(1);

            JobID after = runToEnd(List.of(
                    SampleAlerts.firing("out1", "churn", T0),
                    SampleAlerts.firing("out2", "churn", T0.plus(Duration.ofHours(7)))), config, "dlq-cooldown");
            // both churn triggers may be in flight at once (max-in-flight 4): any order
            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId)
                    .containsExactlyInAnyOrder("driftwatch__in1", "driftwatch__out1", "driftwatch__out2");
            assertThat(counter(after, AirflowTriggerWriter.SUPPRESSED_COOLDOWN)).isZero();
        }
    }

    // --- helpers

    private Map<String, Object> baseConfig(ApiVersion version, String baseUrl, String password) throws IOException {
        Path passwordFile = Files.createTempFile(dir, "airflow-password", ".txt");
        Files.writeString(passwordFile, password + "\n");
        Map<String, Object> m = new HashMap<>();
        m.put("base-url", baseUrl);
        m.put("api-version", version == ApiVersion.AIRFLOW_2 ? "2" : "3");
        m.put("dag-id", DAG);
        m.put("username", USER);
        m.put("password-file", passwordFile.toString());
        m.put("max-in-flight", 2);
        m.put("request-timeout", "10s");
        m.put("retry", Map.of("initial-backoff", "20ms", "max-backoff", "200ms", "max-age", "10m"));
        return m;
    }

    private AirflowTriggerConfig config(ApiVersion version, FakeAirflowServer airflow, String password,
                                        Map<String, Object> extra) throws IOException {
        Map<String, Object> m = baseConfig(version, airflow.baseUrl().toString(), password);
        m.putAll(extra);
        return AirflowTriggerConfig.fromMap(m);
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }

    private JobID runToEnd(List<DriftAlert> alerts, AirflowTriggerConfig config, String dlqTopic) throws Exception {
        StreamExecutionEnvironment env = environment();
        env.enableCheckpointing(500);
        env.fromData(alerts, new AvroTypeInfo<>(DriftAlert.class)).name("alerts").uid("alerts")
                .sinkTo(new AirflowTriggerSink(config, deadLetters(dlqTopic)))
                .name("airflow").uid("airflow").setParallelism(1);
        JobClient client = env.executeAsync("airflow trigger");
        client.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        return client.getJobID();
    }

    private static KafkaDeadLetterPublisher deadLetters(String topic) throws Exception {
        createTopic(topic);
        return new KafkaDeadLetterPublisher(kafka.bootstrapServers(), topic, Map.of());
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static DeadLetter decode(byte[] bytes) throws IOException {
        return DeadLetter.fromByteBuffer(java.nio.ByteBuffer.wrap(bytes));
    }

    private static long counter(JobID job, String name) {
        long sum = 0;
        for (Metric m : REPORTER.findMetrics(job, name).values()) {
            sum += ((Counter) m).getCount();
        }
        return sum;
    }

    private static long gauge(JobID job, String name) {
        long sum = 0;
        for (Metric m : REPORTER.findMetrics(job, name).values()) {
            sum += ((Number) ((Gauge<?>) m).getValue()).longValue();
        }
        return sum;
    }

    /** Waits for a condition the job brings about; the limit only keeps a broken build from hanging. */
    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached");
            }
            Thread.sleep(100);
        }
    }

    /** The alert topic of these tests carries alert ids, enough to see which alerts arrived. */
    static final class AlertIdBytes implements SerializationSchema<DriftAlert> {
        @Override
        public byte[] serialize(DriftAlert alert) {
            return alert.getAlertId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Passes alerts through and fails the job once, right after a checkpoint completed that was taken when at
     * least three alerts had gone by, so the sink's state in that checkpoint holds triggers in delivery.
     */
    static final class FailOnceAfterCheckpoint implements MapFunction<DriftAlert, DriftAlert>, CheckpointedFunction,
            CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean RESTORED = new AtomicBoolean();

        private int seen;
        private long armingCheckpoint = -1;
        private boolean armed;

        static void reset() {
            FAILED.set(false);
            RESTORED.set(false);
        }

        @Override
        public DriftAlert map(DriftAlert alert) {
            seen++;
            if (armed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a checkpoint with pending triggers");
            }
            return alert;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (armingCheckpoint < 0 && seen >= 3 && !FAILED.get()) {
                armingCheckpoint = context.getCheckpointId();
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored() && FAILED.get()) {
                RESTORED.set(true);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (armingCheckpoint >= 0 && checkpointId >= armingCheckpoint) {
                armed = true;
            }
        }
    }
}
