package dev.driftwatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.cli.Main;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `driftwatch replay` over a range of a real topic: exactly that range, through the job's graph, into a report. */
class ReplayITCase {
    static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
    static final Instant FROM = T0.plus(Duration.ofMinutes(10));
    static final Instant TO = T0.plus(Duration.ofMinutes(30));
    static final String TOPIC = "replay-events";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path tmp;
    static Path config;
    static Path candidate;
    static long inRange;

    @BeforeAll
    static void topicBaselinesAndConfig() throws Exception {
        Path training = tmp.resolve("training.csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(5, 3000));
        Path baselines = tmp.resolve("baselines");
        TrainingBaselines.build(training, "fraud", "v1", "score", baselines);
        candidate = tmp.resolve("candidate.onnx");
        try (var in = ReplayITCase.class.getResourceAsStream("/models/handbook_mlp.onnx")) {
            Files.write(candidate, in.readAllBytes());
        }
        KAFKA.createTopic(TOPIC, 2);
        SyntheticTraffic traffic = new SyntheticTraffic("fraud", "v1", 8, List.of());
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            long i = 0;
            for (Instant t = T0; t.isBefore(T0.plus(Duration.ofMinutes(40))); t = t.plusMillis(400), i++) {
                InferenceEvent e = traffic.event(i, t.toEpochMilli());
                // the producer stamps records with the event time, as the replay's timestamp offsets expect
                producer.send(new ProducerRecord<>(TOPIC, (int) (i % 2), t.toEpochMilli(), null, AvroBytes.singleObject(e)));
                if (!t.isBefore(FROM) && t.isBefore(TO)) {
                    inRange++;
                }
            }
            producer.flush();
        }
        config = tmp.resolve("driftwatch.yaml");
        Files.writeString(config, """
                kafka:
                  bootstrap-servers: %s
                  events-topic: %s
                window: {size: 10m, slide: 2m}
                baselines: {directory: %s}
                """.formatted(KAFKA.bootstrapServers(), TOPIC, baselines));
    }

    static int cli(StringWriter out, StringWriter err, String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void replaysExactlyTheRangeAndReportsTheCandidateAgainstProductionPerWindow() throws Exception {
        Path outDir = tmp.resolve("report");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = cli(out, err, "replay", "--config", config.toString(), "--from", FROM.toString(), "--to", TO.toString(),
                "--model", candidate.toString(), "--out", outDir.toString());
        assertThat(code).as(err.toString()).isZero();

        JsonNode report = new ObjectMapper().readTree(outDir.resolve("report.json").toFile());
        assertThat(report.get("events_in_range").asLong()).isEqualTo(inRange);
        JsonNode windows = report.get("windows");
        assertThat(windows.size()).isGreaterThanOrEqualTo(5);
        long maxEvents = 0;
        for (JsonNode w : windows) {
            Instant start = Instant.parse(w.get("window_start").asText());
            Instant end = Instant.parse(w.get("window_end").asText());
            assertThat(end).isAfter(FROM).isBeforeOrEqualTo(TO.plus(Duration.ofMinutes(10)));
            assertThat(start).isBefore(TO);
            maxEvents = Math.max(maxEvents, w.get("events").asLong());
            JsonNode c = w.get("candidates").get(0);
            assertThat(c.get("version").asText()).isEqualTo(Replay.CANDIDATE_LABEL);
            assertThat(c.get("events_scored").asLong()).isPositive();
            // the candidate (an MLP) and production (logistic) disagree on these events
            assertThat(c.get("mean_abs_difference").asDouble()).isGreaterThan(0.01);
            assertThat(c.get("label_agreement").asDouble()).isBetween(0.0, 1.0);
        }
        // a full window holds 10 minutes of the range: 1500 events at one per 400 ms, and never events from outside
        assertThat(maxEvents).isEqualTo(1500);
        String md = Files.readString(outDir.resolve("report.md"));
        assertThat(md).contains("# driftwatch replay").contains("| fraud | v1 |").contains(Replay.CANDIDATE_LABEL)
                // durations in the grammar of the config they came from, not Java's PT10M
                .contains("Windows of 10m sliding by 2m");
        assertThat(out.toString()).contains("replayed " + inRange + " events");
    }

    @Test
    void aRangeWithoutEventsSaysSoInsteadOfWritingAnEmptyReport() {
        Path outDir = tmp.resolve("empty");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = cli(out, err, "replay", "--config", config.toString(), "--from", T0.plus(Duration.ofHours(3)).toString(),
                "--to", T0.plus(Duration.ofHours(4)).toString(), "--out", outDir.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("driftwatch replay: no events between").contains(TOPIC)
                .doesNotContain("Exception").hasLineCount(1);
        assertThat(outDir).doesNotExist();
    }
}
