package dev.driftwatch.window;

import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input never stops the job and never disappears: a topic mixing valid events with garbage, truncated Avro,
 * NaN values, an unknown model, a 10,000-feature event and late events. Also: events of the version-1 schema
 * are read, and the per-feature metrics reach Prometheus with model and feature labels.
 */
class DeadLetterAndMetricsITCase {
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();
    static final int PROM_FIRST_PORT = 9270;
    static final int PROM_LAST_PORT = 9279;

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(config())
            .build());

    static Configuration config() {
        Configuration c = REPORTER.addToConfiguration(new Configuration());
        c.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", PROM_FIRST_PORT + "-" + PROM_LAST_PORT);
        return c;
    }

    @TempDir
    static Path tmp;
    static Path baselines;

    @BeforeAll
    static void baselines() throws Exception {
        Path training = tmp.resolve("training.csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(3, 3000));
        baselines = tmp.resolve("baselines");
        TrainingBaselines.build(training, "fraud", "v1", "score", baselines);
    }

    static DriftConfig driftConfig(String topic) {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", KAFKA.bootstrapServers());
        kafka.put("events-topic", topic);
        kafka.put("alerts-topic", topic + "-alerts");
        kafka.put("dead-letter-topic", topic + "-dlq");
        kafka.put("group-id", topic);
        return DriftConfig.fromMap(Map.of(
                "kafka", kafka,
                "window", Map.of("size", "10m", "slide", "2m", "out-of-orderness", "5s", "idleness", "1s"),
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "500ms")));
    }

    static StreamExecutionEnvironment env(DriftConfig config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DriftJob.configureEnvironment(env, config);
        return env;
    }

    @Test
    void badRecordsAreDeadLetteredOnceWithTheirReasonAndOffsetAndEveryValidEventIsCounted() throws Exception {
        String topic = "mixed";
        DriftConfig config = driftConfig(topic);
        KAFKA.createTopic(topic, 1);
        KAFKA.createTopic(config.kafka().alertsTopic(), 1);
        KAFKA.createTopic(config.kafka().deadLetterTopic(), 1);

        SyntheticTraffic traffic = new SyntheticTraffic("fraud", "v1", 5, List.of());
        List<byte[]> records = new ArrayList<>();
        Map<Long, String> expectedDeadLetters = new HashMap<>();
        int valid = 0;
        Random random = new Random(1);
        long t = T0;
        for (int i = 0; i < 4000; i++, t += 300) {
            if (i == 100) {
                byte[] garbage = new byte[64];
                random.nextBytes(garbage);
                expectedDeadLetters.put((long) records.size(), "UNDECODABLE");
                records.add(garbage);
            }
            if (i == 200) {
                byte[] full = AvroBytes.singleObject(traffic.event(100_000, t));
                expectedDeadLetters.put((long) records.size(), "UNDECODABLE");
                records.add(java.util.Arrays.copyOf(full, full.length / 2));
            }
            if (i == 300) {
                InferenceEvent nan = traffic.event(100_001, t);
                nan.getFeatures().put("f1", Double.NaN);
                nan.getFeatures().put("f2", Double.POSITIVE_INFINITY);
                records.add(AvroBytes.singleObject(nan));
                valid++;
            }
            if (i == 400) {
                InferenceEvent unknown = traffic.event(100_002, t);
                unknown.setModelName("no-such-model");
                records.add(AvroBytes.singleObject(unknown));
            }
            if (i == 500) {
                InferenceEvent wide = traffic.event(100_003, t);
                for (int j = 0; j < 10_000; j++) {
                    wide.getFeatures().put("extra_" + j, (double) j);
                }
                expectedDeadLetters.put((long) records.size(), "TOO_MANY_FEATURES");
                records.add(AvroBytes.singleObject(wide));
            }
            if (i == 3000 || i == 3500) {
                // twenty minutes behind the stream: its pane was evaluated long ago
                expectedDeadLetters.put((long) records.size(), "LATE");
                records.add(AvroBytes.singleObject(traffic.event(200_000 + i, t - Duration.ofMinutes(20).toMillis())));
            }
            if (i == 250) {
                // event time 00:01:30, while its pane is still open
                try (InputStream in = getClass().getResourceAsStream("/events/inference-event-v1.bin")) {
                    records.add(in.readAllBytes());
                    valid++;
                }
            }
            records.add(AvroBytes.singleObject(traffic.event(i, t)));
            valid++;
        }
        KAFKA.send(topic, 0, records);

        KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopics(topic).setGroupId(topic)
                .setStartingOffsets(OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest())
                .setDeserializer(new PausingDeserializer(expectedDeadLetters.entrySet().stream()
                        .filter(e -> e.getValue().equals("LATE")).map(Map.Entry::getKey).toList())).build();
        StreamExecutionEnvironment env = env(config);
        DriftJob.defineWorkflow(env, config, source, DriftJob.kafkaSinks(config));
        JobID job = env.execute("bad-input").getJobID();

        List<DeadLetter> dead = KAFKA.readAll(config.kafka().deadLetterTopic(), true).stream()
                .map(r -> decode(r.value())).toList();
        Map<Long, String> byOffset = dead.stream().collect(Collectors.toMap(DeadLetter::getOffset, DeadLetter::getReason, (a, b) -> a + "," + b));
        assertThat(dead).as("each bad record dead-lettered exactly once: " + dead.stream()
                .map(d -> d.getOffset() + " " + d.getReason() + " " + d.getError()).toList()).hasSize(expectedDeadLetters.size());
        assertThat(byOffset).isEqualTo(expectedDeadLetters);
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.getTopic()).isEqualTo(topic);
            assertThat(d.getPartition()).isZero();
            assertThat(d.getRawValue()).isNotNull();
            assertThat(d.getError()).isNotBlank();
        });
        DeadLetter garbage = dead.stream().filter(d -> d.getReason().equals("UNDECODABLE")).findFirst().orElseThrow();
        assertThat(bytes(garbage.getRawValue())).hasSize(64);

        assertThat(counter(job, "events_valid")).as("every valid event, the NaN and version-1 ones included").isEqualTo(valid);
        assertThat(counter(job, "events_no_baseline")).isEqualTo(1);
        assertThat(counter(job, "events_late")).isEqualTo(2);
        assertThat(counter(job, "dead_letters")).isEqualTo(expectedDeadLetters.size());
        assertThat(counter(job, "values_non_finite")).isEqualTo(2);
        assertThat(counter(job, "events_in")).isEqualTo(records.size());
        assertThat(reasonCounter(job, "UNDECODABLE")).isEqualTo(2);
        assertThat(reasonCounter(job, "TOO_MANY_FEATURES")).isEqualTo(1);
        assertThat(reasonCounter(job, "LATE")).isEqualTo(2);
    }

    @Test
    void perFeatureMetricsReachPrometheusWithModelAndFeatureLabels() throws Exception {
        String topic = "live";
        DriftConfig config = driftConfig(topic);
        KAFKA.createTopic(topic, 2);
        KAFKA.createTopic(config.kafka().alertsTopic(), 1);
        KAFKA.createTopic(config.kafka().deadLetterTopic(), 1);
        SyntheticTraffic traffic = new SyntheticTraffic("fraud", "v1", 9, List.of());
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            events.add(AvroBytes.singleObject(traffic.event(i, T0 + i * 300L)));
        }
        KAFKA.send(topic, null, events);

        KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopics(topic).setGroupId(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new EventDeserializer(true)).build();
        StreamExecutionEnvironment env = env(config);
        DriftJob.defineWorkflow(env, config, source, DriftJob.kafkaSinks(config));
        JobClient client = env.executeAsync("prometheus");
        try {
            // a sample of the window's statistics: a number, labelled with the model and the feature
            List<String> expected = List.of(
                    "flink_taskmanager_job_task_operator_driftwatch_model_feature_psi\\{[^}]*feature=\"f3\"[^}]*\\}\\s+[0-9]",
                    "driftwatch_model_feature_ks_pvalue\\{[^}]*model=\"fraud\"[^}]*\\}\\s+[0-9]",
                    "driftwatch_model_feature_window_sample_size\\{[^}]*feature=\"__prediction__\"[^}]*\\}\\s+1000",
                    "driftwatch_model_feature_p99\\{[^}]*feature=\"f0\"[^}]*\\}\\s+[0-9]",
                    "driftwatch_model_feature_missing_rate\\{[^}]*feature=\"f1\"[^}]*\\}\\s+0",
                    "driftwatch_events_valid\\{[^}]*\\}\\s+[1-9]",
                    "driftwatch_model_drift_share\\{[^}]*model=\"fraud\"[^}]*\\}\\s+[0-9]",
                    "driftwatch_model_alert_state\\{[^}]*model=\"fraud\"[^}]*\\}\\s+0",
                    "driftwatch_reason_events_invalid\\{[^}]*reason=\"UNDECODABLE\"");
            String scrape = "";
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && !allFound(scrape, expected)) {
                Thread.sleep(500);
                scrape = scrapeAll(http);
            }
            Files.writeString(Path.of("target", "prometheus-scrape.txt"), scrape);
            for (String pattern : expected) {
                assertThat(scrape).containsPattern(pattern);
            }
        } finally {
            client.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    static boolean allFound(String scrape, List<String> patterns) {
        return patterns.stream().allMatch(p -> java.util.regex.Pattern.compile(p).matcher(scrape).find());
    }

    static String scrapeAll(HttpClient http) {
        StringBuilder sb = new StringBuilder();
        for (int port = PROM_FIRST_PORT; port <= PROM_LAST_PORT; port++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                sb.append(r.body());
            } catch (Exception notListening) {
                // the reporter took another port of the range
            }
        }
        return sb.toString();
    }

    /** Sum over subtasks of a driftwatch counter of a job (optionally of one dead-letter reason). */
    static long counter(JobID job, String name, String reason) {
        long sum = 0;
        for (var group : REPORTER.getMetricsByGroup().entrySet()) {
            Map<String, String> vars = group.getKey().getAllVariables();
            boolean ours = job.toString().equals(vars.get("<job_id>"))
                    && List.of(group.getKey().getScopeComponents()).contains("driftwatch")
                    && (reason == null ? !vars.containsKey("<reason>") : reason.equals(vars.get("<reason>")));
            if (ours && group.getValue().get(name) instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    static long counter(JobID job, String name) {
        return counter(job, name, null);
    }

    static long reasonCounter(JobID job, String reason) {
        return counter(job, "events_invalid", reason);
    }

    /**
     * Pauses after the record before each given offset. Deserialization runs in the task's mailbox thread, so
     * the periodic watermark (every 200 ms) fires during the pause and has passed the earlier events when the
     * late one arrives: lateness is judged against the watermark, and a topic read in one burst might otherwise
     * be read before any watermark.
     */
    static final class PausingDeserializer extends EventDeserializer {
        private final List<Long> pauseBefore;

        PausingDeserializer(List<Long> pauseBefore) {
            super(true);
            this.pauseBefore = List.copyOf(pauseBefore);
        }

        @Override
        public void deserialize(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record,
                                org.apache.flink.util.Collector<DecodedRecord> out) {
            super.deserialize(record, out);
            if (pauseBefore.contains(record.offset() + 1)) {
                try {
                    Thread.sleep(600);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    static DeadLetter decode(byte[] bytes) {
        try {
            return DeadLetter.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (Exception e) {
            throw new AssertionError("not a DeadLetter", e);
        }
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
