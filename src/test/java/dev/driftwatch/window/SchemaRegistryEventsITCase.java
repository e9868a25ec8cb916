package dev.driftwatch.window;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.io.AvroJson;
import dev.driftwatch.io.OutputRecordReader;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.registry.SchemaRegistryClient;
import dev.driftwatch.testing.DebianPackages;
import dev.driftwatch.testing.KafkaTestBroker;
import dev.driftwatch.testing.TestSchemaRegistry;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, acceptance 7: events in the Schema Registry wire format, written by a producer in another language the
 * way Confluent's serializer writes them (Debian's python3-confluent-kafka, registering its schemas with a registry
 * served over HTTP on 127.0.0.1), with several schema ids (the current InferenceEvent schema, version 1 from
 * schemas/history, another team's reordered copy), go through the job on a real broker and are counted exactly as
 * the same events single-object encoded: the same events counted valid, the same per-window results, the same
 * alerts. A record with an id the registry does not know and one whose schema cannot be read as an InferenceEvent
 * are dead-lettered with their reasons and counted. The alerts, written as JSON, are read with Debian's kafkacat: one
 * JSON object per line, equal to the alerts of the single-object run.
 */
class SchemaRegistryEventsITCase {
    static final String MODEL = "fraud";
    static final String VERSION = "v1";
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final long SHIFT_FROM = T0 + Duration.ofMinutes(60).toMillis();
    static final long SHIFT_TO = T0 + Duration.ofMinutes(90).toMillis();
    static final long END = T0 + Duration.ofMinutes(130).toMillis();
    static final long EVENT_GAP_MS = 1000;
    static final Set<String> SHIFTED = Set.of("f3", "f7");
    static final int UNKNOWN_ID = 999;
    static final Path PRODUCER = Path.of("src/test/python/confluent_avro_producer.py").toAbsolutePath();
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final TestSchemaRegistry REGISTRY = new TestSchemaRegistry();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .build());

    @TempDir
    static Path tmp;
    static Path baselines;
    static int validEvents;
    /** The dead letters the registry-format topic must give: offset -> reason. */
    static final Map<Long, String> EXPECTED_DEAD = new LinkedHashMap<>();
    static byte[] unknownIdRecord;
    static Map<String, Integer> ids;

    /** Another team's copy of the schema: its own namespace, fields in another order, one more field. */
    static final String REORDERED = """
            {"type": "record", "name": "InferenceEvent", "namespace": "com.example.serving", "fields": [
              {"name": "model_name", "type": "string"},
              {"name": "event_id", "type": "string"},
              {"name": "prediction", "type": ["null", "double"], "default": null},
              {"name": "features", "type": {"type": "map", "values": ["null", "double", "string"]}},
              {"name": "model_version", "type": "string"},
              {"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "region", "type": "string", "default": "eu"}
            ]}""";
    /** Event time as text: no Avro rule reads that as InferenceEvent's timestamp (a registry whose compatibility is NONE accepts it). */
    static final String INCOMPATIBLE = """
            {"type": "record", "name": "InferenceEvent", "fields": [
              {"name": "event_id", "type": "string"},
              {"name": "model_name", "type": "string"},
              {"name": "model_version", "type": "string"},
              {"name": "event_time", "type": "string"},
              {"name": "features", "type": {"type": "map", "values": ["null", "double", "string"]}}
            ]}""";

    @BeforeAll
    static void trafficInBothFormats() throws Exception {
        DebianPackages.ensure(List.of("/usr/bin/python3", "-c", "import confluent_kafka.avro, avro, requests"),
                "python3-confluent-kafka", "python3-avro", "python3-requests");
        Path training = tmp.resolve("training.csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(11, 5000));
        baselines = tmp.resolve("baselines");
        TrainingBaselines.build(training, MODEL, VERSION, "score", baselines);

        SyntheticTraffic traffic = new SyntheticTraffic(MODEL, VERSION, 42,
                List.of(new SyntheticTraffic.Shift(SHIFT_FROM, SHIFT_TO, SHIFTED, 1.5)));
        List<byte[]> singleObject = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        long offset = 0;
        long i = 0;
        for (long t = T0; t < END; t += EVENT_GAP_MS, i++) {
            InferenceEvent e = traffic.event(i, t);
            if (i == 1000) {
                EXPECTED_DEAD.put(offset++, "INCOMPATIBLE_SCHEMA");
                lines.append(line("incompatible", incompatibleValue(e))).append('\n');
            }
            if (i == 2000) {
                unknownIdRecord = registryFramed(UNKNOWN_ID, e);
                EXPECTED_DEAD.put(offset++, "UNKNOWN_SCHEMA");
                lines.append(JSON.writeValueAsString(Map.of("raw", Base64.getEncoder().encodeToString(unknownIdRecord)))).append('\n');
            }
            // three writer schemas in turn: the current one, version 1, another team's copy
            String schema = switch ((int) (i % 3)) {
                case 0 -> "v2";
                case 1 -> "v1";
                default -> "reordered";
            };
            lines.append(line(schema, value(schema, e))).append('\n');
            offset++;
            singleObject.add(AvroBytes.singleObject(e));
        }
        validEvents = (int) i;
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, lines);
        Files.writeString(tmp.resolve("reordered.avsc"), REORDERED);
        Files.writeString(tmp.resolve("incompatible.avsc"), INCOMPATIBLE);

        createTopic("events-registry");
        createTopic("events-single-object");
        KAFKA.send("events-single-object", 0, singleObject);
        String produced = python(PRODUCER.toString(), "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--schema-registry", REGISTRY.url().toString(), "--topic", "events-registry",
                "--schema", "v2=" + Path.of("schemas/InferenceEvent.avsc").toAbsolutePath(),
                "--schema", "v1=" + Path.of("schemas/history/InferenceEvent-v1.avsc").toAbsolutePath(),
                "--schema", "reordered=" + tmp.resolve("reordered.avsc"),
                "--schema", "incompatible=" + tmp.resolve("incompatible.avsc"),
                "--events", events.toString());
        assertThat(produced).contains("produced " + offset);
        JsonNode registered = JSON.readTree(produced.substring(produced.indexOf("ids ") + 4).strip());
        ids = new HashMap<>();
        registered.fields().forEachRemaining(f -> ids.put(f.getKey(), f.getValue().asInt()));
        assertThat(ids.values()).as("four schemas, four ids").doesNotHaveDuplicates().hasSize(4).doesNotContain(UNKNOWN_ID);
        assertThat(REGISTRY.subjectIds("events-registry-value")).containsExactlyInAnyOrderElementsOf(ids.values());
    }

    /** A topic whose records stay whatever their timestamps (the outputs carry event times of January 2026). */
    static void createTopic(String name) throws Exception {
        KAFKA.createTopic(name, 1, Map.of("retention.ms", "-1"));
    }

    static String line(String schema, Map<String, Object> value) throws IOException {
        return JSON.writeValueAsString(Map.of("schema", schema, "value", value));
    }

    /** The event as the Python producer's dict for a writer schema (the JSON numbers keep every double exact). */
    static Map<String, Object> value(String schema, InferenceEvent e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("event_id", e.getEventId());
        v.put("model_name", e.getModelName());
        v.put("model_version", e.getModelVersion());
        v.put("event_time", e.getEventTime().toEpochMilli());
        v.put("features", new LinkedHashMap<>(e.getFeatures()));
        v.put("prediction", e.getPrediction());
        if (schema.equals("v2")) {
            v.put("label", null);
            v.put("attributes", null);
        }
        if (schema.equals("reordered")) {
            v.put("region", "eu");
        }
        return v;
    }

    static Map<String, Object> incompatibleValue(InferenceEvent e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("event_id", "incompatible-" + e.getEventId());
        v.put("model_name", e.getModelName());
        v.put("model_version", e.getModelVersion());
        v.put("event_time", e.getEventTime().toString());
        v.put("features", new LinkedHashMap<>(e.getFeatures()));
        return v;
    }

    /** Confluent's framing around the current schema's body, with an id no registry gave out. */
    static byte[] registryFramed(int id, InferenceEvent e) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(InferenceEvent.class).write(e, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static String python(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("/usr/bin/python3");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the Python producer finished").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    /** What one bounded run over an events topic wrote. */
    record Run(JobID job, DriftConfig config, List<DeadLetter> deadLetters, List<ConsumerRecord<byte[], byte[]>> results) {}

    static Run run(String events, Map<String, Object> formats) throws Exception {
        return run(events, formats, events);
    }

    /** Runs the job over topic {@code events-<events>}; its outputs go to topics named after {@code name}. */
    static Run run(String events, Map<String, Object> formats, String name) throws Exception {
        Map<String, Object> kafka = new HashMap<>(formats);
        kafka.put("bootstrap-servers", KAFKA.bootstrapServers());
        kafka.put("events-topic", "events-" + events);
        kafka.put("alerts-topic", "alerts-" + name);
        kafka.put("results-topic", "results-" + name);
        kafka.put("dead-letter-topic", "dlq-" + name);
        kafka.put("group-id", name);
        DriftConfig config = DriftConfig.fromMap(Map.of(
                "kafka", kafka,
                "window", Map.of("size", "10m", "slide", "2m", "out-of-orderness", "5s", "idleness", "10s"),
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "300ms")));
        DriftConfig.Kafka k = config.kafka();
        for (String topic : List.of(k.alertsTopic(), k.resultsTopic(), k.deadLetterTopic())) {
            createTopic(topic);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DriftJob.configureEnvironment(env, config);
        KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(k.bootstrapServers()).setTopics(k.eventsTopic()).setGroupId(k.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest())
                .setDeserializer(new EventDeserializer(k.format(), k.schemaRegistry()))
                .build();
        DriftJob.defineWorkflow(env, config, source, DriftJob.kafkaSinks(config));
        JobID job = env.execute("schema-registry-" + name).getJobID();
        List<DeadLetter> dead = KAFKA.readAll(k.deadLetterTopic(), true).stream()
                .map(r -> DeadLetterAndMetricsITCase.decode(r.value())).toList();
        return new Run(job, config, dead, KAFKA.readAll(k.resultsTopic(), true));
    }

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

    /** What makes two alerts the same to an operator (created_at is processing time). */
    static String identity(DriftAlert a) {
        Set<String> features = a.getFeatures().stream().map(AlertFeature::getFeature).collect(Collectors.toCollection(TreeSet::new));
        return a.getAlertId() + " " + a.getStatus() + " " + a.getWindowStart() + ".." + a.getWindowEnd() + " " + features;
    }

    @Test
    void registryFramedEventsCountLikeSingleObjectOnesAndBadIdsAreDeadLetteredWithTheirReason() throws Exception {
        Run single = run("single-object", Map.of());
        Run registry = run("registry", Map.of(
                "format", "schema-registry",
                "alerts-format", "json",
                "results-format", "schema-registry",
                "schema-registry", Map.of("url", REGISTRY.url().toString())));

        // counted alike
        assertThat(counter(single.job(), "events_valid", null)).isEqualTo(validEvents);
        assertThat(counter(registry.job(), "events_valid", null)).as("every event of every schema id counted").isEqualTo(validEvents);
        assertThat(single.deadLetters()).isEmpty();

        // the two bad ids, dead-lettered once each with their reason, raw bytes and offset
        Map<Long, String> byOffset = registry.deadLetters().stream()
                .collect(Collectors.toMap(DeadLetter::getOffset, DeadLetter::getReason));
        assertThat(byOffset).isEqualTo(EXPECTED_DEAD);
        DeadLetter unknown = registry.deadLetters().stream().filter(d -> d.getReason().equals("UNKNOWN_SCHEMA")).findFirst().orElseThrow();
        assertThat(unknown.getError()).startsWith("schema id " + UNKNOWN_ID + ": ").contains("not found");
        assertThat(DeadLetterAndMetricsITCase.bytes(unknown.getRawValue())).isEqualTo(unknownIdRecord);
        DeadLetter incompatible = registry.deadLetters().stream().filter(d -> d.getReason().equals("INCOMPATIBLE_SCHEMA")).findFirst().orElseThrow();
        assertThat(incompatible.getError()).startsWith("schema id " + ids.get("incompatible") + ": ")
                .contains("cannot be read as an InferenceEvent");
        assertThat(counter(registry.job(), "events_invalid", "UNKNOWN_SCHEMA")).isEqualTo(1);
        assertThat(counter(registry.job(), "events_invalid", "INCOMPATIBLE_SCHEMA")).isEqualTo(1);
        assertThat(counter(registry.job(), "dead_letters", null)).isEqualTo(2);

        // each id asked once, not once per record
        assertThat(REGISTRY.requestsTo("GET /schemas/ids/")).isEqualTo(5);
        assertThat(counter(registry.job(), "schema_registry_lookups", null)).isEqualTo(5);

        // the same windows and results; the registry run's are framed with the id of FeatureDriftResult's subject
        List<Integer> resultIds = REGISTRY.subjectIds("results-registry-value");
        assertThat(resultIds).as("the results sink registered its schema under <topic>-value").hasSize(1);
        assertThat(registry.results()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.value()[0]).isZero();
            assertThat(ByteBuffer.wrap(r.value(), 1, 4).getInt()).isEqualTo(resultIds.get(0));
        });
        OutputRecordReader<FeatureDriftResult> fromRegistry = new OutputRecordReader<>(FeatureDriftResult.class,
                new SchemaRegistryClient(registry.config().kafka().schemaRegistry())::schemaById);
        OutputRecordReader<FeatureDriftResult> fromSingleObject = new OutputRecordReader<>(FeatureDriftResult.class, null);
        List<FeatureDriftResult> expected = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : single.results()) {
            expected.add(fromSingleObject.read(r.value()));
        }
        List<FeatureDriftResult> actual = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : registry.results()) {
            actual.add(fromRegistry.read(r.value()));
        }
        assertThat(actual).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);

        // JSON alerts through Debian's kafkacat: one object per line, the single-object run's alerts
        List<DriftAlert> expectedAlerts = new ArrayList<>();
        OutputRecordReader<DriftAlert> alerts = new OutputRecordReader<>(DriftAlert.class, null);
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(single.config().kafka().alertsTopic(), true)) {
            expectedAlerts.add(alerts.read(r.value()));
        }
        assertThat(expectedAlerts).extracting(DriftAlert::getStatus).contains(AlertStatus.FIRING, AlertStatus.RESOLVED);
        List<String> lines = kafkacat(registry.config().kafka().alertsTopic());
        assertThat(lines).hasSameSizeAs(expectedAlerts);
        List<DriftAlert> printed = new ArrayList<>();
        for (String line : lines) {
            JsonNode object = JSON.readTree(line);
            assertThat(object).as("one JSON object per line: " + line).isInstanceOf(ObjectNode.class);
            assertThat(object.get("window_end").asText()).as("times as ISO-8601").endsWith("Z");
            printed.add(AvroJson.read(line.getBytes(StandardCharsets.UTF_8), DriftAlert.getClassSchema()));
        }
        assertThat(printed.stream().map(SchemaRegistryEventsITCase::identity).toList())
                .containsExactlyElementsOf(expectedAlerts.stream().map(SchemaRegistryEventsITCase::identity).toList());
    }

    @Test
    void aRegistryThatDoesNotAnswerDeadLettersTheRecordsNotTheJob() throws Exception {
        try (TestSchemaRegistry silent = new TestSchemaRegistry().start()) {
            silent.stall();
            // the same topic, read through a registry that accepts connections and never answers
            Run run = run("registry", Map.of(
                    "format", "schema-registry",
                    "schema-registry", Map.of("url", silent.url().toString(), "connect-timeout", "1s",
                            "request-timeout", "1s", "negative-cache-ttl", "1h")),
                    "silent-registry");
            int records = validEvents + EXPECTED_DEAD.size();
            assertThat(run.deadLetters()).as("every record dead-lettered, none lost, the job finished")
                    .hasSize(records)
                    .allSatisfy(d -> {
                        assertThat(d.getReason()).isEqualTo("SCHEMA_REGISTRY_UNAVAILABLE");
                        assertThat(d.getError()).contains("schema registry 127.0.0.1:" + silent.url().getPort());
                        assertThat(d.getRawValue()).as("kept for a replay once the registry is back").isNotNull();
                    });
            assertThat(counter(run.job(), "events_invalid", "SCHEMA_REGISTRY_UNAVAILABLE")).isEqualTo(records);
            assertThat(counter(run.job(), "events_valid", null)).isZero();
            assertThat(silent.requests()).as("one bounded request, then every record failed at once").hasSize(1);
        }
    }

    /**
     * The topic's records as {@code kcat -C -b BROKER -t TOPIC -o beginning -e} prints them: librdkafka reads
     * read_committed by default, so only committed alerts show.
     */
    static List<String> kafkacat(String topic) throws Exception {
        DebianPackages.ensure(List.of("sh", "-c", "command -v kcat || command -v kafkacat"), "kafkacat");
        String binary = DebianPackages.firstOnPath("kcat", "kafkacat");
        Process p = new ProcessBuilder(binary, "-C", "-b", KAFKA.bootstrapServers(), "-t", topic, "-o", "beginning", "-e", "-q")
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("kafkacat stops at the end of the topic").isTrue();
        assertThat(p.exitValue()).as(err.join()).isZero();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
