package dev.driftwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.alert.AlertText;
import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.config.Durations;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code driftwatch alerts tail}: follows the alert topic and prints each committed alert, readable by a person
 * (or one JSON object per line with {@code --json}). Reads read_committed without a consumer group, so it never
 * moves anyone's offsets and never shows an alert of an aborted transaction.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the alerts of the alert topic as they are committed (Ctrl-C to stop).")
public final class AlertsTailCommand implements Callable<Integer> {
    /** How long to wait for the brokers to name the topic's partitions (less with a shorter --timeout). */
    static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers, e.g. localhost:9092.")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "drift-alerts", description = "The alert topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest alert instead of the next new one.")
    boolean fromBeginning;

    @Option(names = "--json", description = "One JSON object per alert and line, for scripts.")
    boolean json;

    @Option(names = "--max-alerts", description = "Stop after this many alerts.")
    Integer maxAlerts;

    @Option(names = "--timeout", description = "Stop after this long without a new alert, e.g. 30s.")
    String timeout;

    @Option(names = "--property", description = "Kafka client property key=value (TLS, SASL); repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Duration idle = timeout == null ? null : Durations.parse("--timeout", timeout);
        PrintWriter out = spec.commandLine().getOut();
        Properties p = new Properties();
        p.putAll(properties);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        ObjectMapper mapper = new ObjectMapper();
        int shown = 0;
        // with --timeout, the wait for the brokers is bounded by it too, so a script's tail always ends
        Duration metadataWait = idle != null && !idle.isZero() && idle.compareTo(METADATA_WAIT) < 0 ? idle : METADATA_WAIT;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, metadataWait);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalArgumentException("no answer from Kafka at " + bootstrapServers + " within "
                        + Durations.format(metadataWait) + " (check --bootstrap-servers, the broker, and --property for TLS or SASL)");
            } catch (AuthenticationException | AuthorizationException | InvalidTopicException e) {
                throw new IllegalArgumentException("Kafka at " + bootstrapServers + " refused: " + e.getMessage());
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrapServers);
            }
            infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            if (fromBeginning) {
                consumer.seekToBeginning(parts);
            } else {
                consumer.seekToEnd(parts);
            }
            long lastSeen = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    lastSeen = System.nanoTime();
                    DriftAlert a;
                    try {
                        a = DriftAlert.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    } catch (Exception e) {
                        spec.commandLine().getErr().println("driftwatch alerts tail: record at " + r.topic() + "/"
                                + r.partition() + "@" + r.offset() + " is not a DriftAlert: " + e.getMessage());
                        continue;
                    }
                    out.println(json ? mapper.writeValueAsString(toJson(a)) : AlertText.format(a));
                    out.flush();
                    if (maxAlerts != null && ++shown >= maxAlerts) {
                        return ExitCodes.OK;
                    }
                }
                if (idle != null && System.nanoTime() - lastSeen > idle.toNanos()) {
                    return ExitCodes.OK;
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return ExitCodes.OK;
    }

    /** The alert as JSON: Avro field names, times as ISO-8601, non-finite numbers as null. */
    static Map<String, Object> toJson(DriftAlert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", a.getAlertId());
        m.put("status", a.getStatus().name());
        m.put("kind", a.getKind().name());
        m.put("severity", a.getSeverity().name());
        m.put("model", a.getModel());
        m.put("model_version", a.getModelVersion());
        m.put("baseline_version", a.getBaselineVersion());
        m.put("window_start", a.getWindowStart().toString());
        m.put("window_end", a.getWindowEnd().toString());
        m.put("drift_share", finite(a.getDriftShare()));
        List<Map<String, Object>> features = new ArrayList<>();
        for (AlertFeature f : a.getFeatures()) {
            List<Map<String, Object>> tests = new ArrayList<>();
            for (TestResult t : f.getTests()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("test", t.getTest());
                tm.put("statistic", finite(t.getStatistic()));
                tm.put("p_value", t.getPValue() == null ? null : finite(t.getPValue()));
                tm.put("threshold", finite(t.getThreshold()));
                tm.put("drifted", t.getDrifted());
                tests.add(tm);
            }
            features.add(Map.of("feature", f.getFeature(), "tests", tests));
        }
        m.put("features", features);
        if (a.getLineage() != null) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("dataset_sha256", a.getLineage().getDatasetSha256());
            l.put("rows", a.getLineage().getRows());
            l.put("created_at", a.getLineage().getCreatedAt().toString());
            l.put("source", a.getLineage().getSource());
            l.put("code_version", a.getLineage().getCodeVersion());
            m.put("lineage", l);
        } else {
            m.put("lineage", null);
        }
        m.put("created_at", a.getCreatedAt().toString());
        m.put("summary", a.getSummary());
        return m;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
