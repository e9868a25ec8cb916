package dev.driftwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.alert.AlertPolicy;
import dev.driftwatch.alert.AlertState;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.io.AvroSerializationSchemas;
import dev.driftwatch.testing.KafkaTestBroker;
import dev.driftwatch.testing.TestSchemaRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `driftwatch alerts tail` against a real broker: committed alerts readable, aborted ones never shown, in each
 * format the job can write (single-object Avro, JSON, the Schema Registry format through a registry over HTTP).
 */
class AlertsTailITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final TestSchemaRegistry REGISTRY = new TestSchemaRegistry();

    @TempDir
    static Path tmp;

    static DriftAlert committed;
    static DriftAlert aborted;

    static DriftAlert alert(long windowEnd, String... drifted) {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 1, 0.5);
        List<FeatureDriftResult> w = dev.driftwatch.testing.SampleResults.window(windowEnd, 1e-12, drifted);
        return policy.step(new AlertState(), policy.judge(w), w.get(0), Instant.parse("2026-01-05T01:00:00Z")).orElseThrow();
    }

    @BeforeAll
    static void alertsOnTheTopic() throws Exception {
        KAFKA.createTopic("alerts", 1);
        committed = alert(1_767_574_800_000L, "f3", "f7");
        aborted = alert(1_767_578_400_000L, "f1");
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        p.put("transactional.id", "tail-test");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("alerts", "m".getBytes(), AvroBytes.singleObject(aborted)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("alerts", "m".getBytes(), AvroBytes.singleObject(committed)));
            producer.commitTransaction();
        }
    }

    static String tail(String... extra) {
        return tailTopic("alerts", extra);
    }

    static String tailTopic(String topic, String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[] {"alerts", "tail", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).as("every record read").isEmpty();
        return out.toString();
    }

    @Test
    void readsAlertsTheJobWroteAsJsonOrInTheSchemaRegistryFormat() throws Exception {
        String registryTopic = "alerts-registry";
        String jsonTopic = "alerts-json";
        KAFKA.createTopic(registryTopic, 1);
        KAFKA.createTopic(jsonTopic, 1);
        SchemaRegistryConfig registry = SchemaRegistryConfig.of(REGISTRY.url());
        byte[] framed = AvroSerializationSchemas.values(DriftAlert.class, DriftConfig.OutputFormat.SCHEMA_REGISTRY,
                registry, registryTopic).serialize(committed);
        byte[] json = AvroSerializationSchemas.values(DriftAlert.class, DriftConfig.OutputFormat.JSON,
                null, jsonTopic).serialize(committed);
        KAFKA.send(registryTopic, 0, List.of(framed));
        KAFKA.send(jsonTopic, 0, List.of(json));
        assertThat(REGISTRY.subjectIds(registryTopic + "-value")).as("registered under TopicNameStrategy's subject").hasSize(1);

        String readable = "FIRING m v1: 2/10 features drifted";
        assertThat(tailTopic(registryTopic, "--from-beginning", "--max-alerts", "1", "--timeout", "10s",
                "--schema-registry-url", REGISTRY.url().toString())).contains(readable).contains(committed.getAlertId());
        assertThat(tailTopic(jsonTopic, "--from-beginning", "--max-alerts", "1", "--timeout", "10s"))
                .contains(readable).contains(committed.getAlertId());
        String asJson = tailTopic(jsonTopic, "--from-beginning", "--json", "--max-alerts", "1", "--timeout", "10s");
        assertThat(new ObjectMapper().readTree(asJson.strip())).isEqualTo(new ObjectMapper().readTree(json));

        // the job's own config names the brokers, the alert topic and the registry
        Path config = tmp.resolve("driftwatch.yaml");
        Files.writeString(config, "kafka:\n  bootstrap-servers: " + KAFKA.bootstrapServers() + "\n  alerts-topic: "
                + registryTopic + "\n  alerts-format: schema-registry\n  schema-registry:\n    url: " + REGISTRY.url() + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"alerts", "tail", "--config", config.toString(), "--from-beginning",
                "--json", "--max-alerts", "1", "--timeout", "10s"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(new ObjectMapper().readTree(out.toString().strip())).isEqualTo(new ObjectMapper().readTree(json));
    }

    @Test
    void printsTheCommittedAlertReadablyAndNeverTheAbortedOne() {
        String out = tail("--from-beginning", "--timeout", "3s");
        assertThat(out).contains("FIRING   m v1  [DRIFT WARNING]  window 2026-01-05 00:50:00 .. 2026-01-05 01:00:00 UTC")
                .contains("FIRING m v1: 2/10 features drifted")
                .containsPattern("(?m)^  f3 +\\*KS=0\\.100 p=1\\.0e-12")
                .containsPattern("(?m)^  f7 +\\*KS=")
                .contains("training data sha256 ab, 10 rows")
                .contains("alert " + committed.getAlertId())
                .doesNotContain(aborted.getAlertId());
    }

    @Test
    void jsonOutputCarriesEveryFieldForScripts() throws Exception {
        String out = tail("--from-beginning", "--json", "--max-alerts", "1", "--timeout", "10s");
        JsonNode a = new ObjectMapper().readTree(out.strip());
        assertThat(a.get("alert_id").asText()).isEqualTo(committed.getAlertId());
        assertThat(a.get("status").asText()).isEqualTo("FIRING");
        assertThat(a.get("features")).extracting(f -> f.get("feature").asText()).containsExactly("f3", "f7");
        assertThat(a.get("features").get(0).get("tests").get(0).get("p_value").asDouble()).isEqualTo(1e-12);
        assertThat(a.get("lineage").get("dataset_sha256").asText()).isEqualTo("ab");
        assertThat(a.get("window_end").asText()).isEqualTo("2026-01-05T01:00:00Z");
    }

    @Test
    void withoutFromBeginningItWaitsForNewAlertsOnly() {
        assertThat(tail("--timeout", "2s")).isEmpty();
    }
}
