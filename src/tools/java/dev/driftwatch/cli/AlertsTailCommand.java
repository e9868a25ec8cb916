package dev.driftwatch.cli;

import dev.driftwatch.alert.AlertText;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.config.Durations;
import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.io.AvroJson;
import dev.driftwatch.io.OutputRecordReader;
import dev.driftwatch.registry.SchemaRegistry;
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

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
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
 * moves anyone's offsets and never shows an alert of an aborted transaction. Reads every format the job writes
 * (single-object Avro, JSON, the Schema Registry format), told apart record by record.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the alerts of the alert topic as they are committed (Ctrl-C to stop).")
public final class AlertsTailCommand implements Callable<Integer> {
    /** How long to wait for the brokers to name the topic's partitions (less with a shorter --timeout). */
    static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The job's config: its kafka.bootstrap-servers, alerts-topic, properties and schema-registry"
                    + " are the defaults of the flags below.")
    Path config;

    @Option(names = "--bootstrap-servers", description = "Kafka brokers, e.g. localhost:9092 (required without --config).")
    String bootstrapServers;

    @Option(names = "--topic", description = "The alert topic. Default: the config's kafka.alerts-topic, else drift-alerts.")
    String topic;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "Schema Registry of alerts in its format (no auth; --config for credentials and TLS).")
    URI schemaRegistryUrl;

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
        DriftConfig.Kafka kafka = config == null ? null : DriftConfig.load(config).kafka();
        String servers = bootstrapServers != null ? bootstrapServers : kafka == null ? null : kafka.bootstrapServers();
        if (servers == null) {
            throw new IllegalArgumentException("--bootstrap-servers: required (or --config with kafka.bootstrap-servers)");
        }
        String alertsTopic = topic != null ? topic : kafka == null ? "drift-alerts" : kafka.alertsTopic();
        SchemaRegistryConfig registry = schemaRegistryUrl != null ? SchemaRegistryConfig.of(schemaRegistryUrl)
                : kafka == null ? null : kafka.schemaRegistry();
        OutputRecordReader<DriftAlert> reader = new OutputRecordReader<>(DriftAlert.class,
                registry == null ? null : SchemaRegistry.shared(registry));
        PrintWriter out = spec.commandLine().getOut();
        Properties p = new Properties();
        if (kafka != null) {
            p.putAll(kafka.properties());
        }
        p.putAll(properties);
        p.put("bootstrap.servers", servers);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        int shown = 0;
        // with --timeout, the wait for the brokers is bounded by it too, so a script's tail always ends
        Duration metadataWait = idle != null && !idle.isZero() && idle.compareTo(METADATA_WAIT) < 0 ? idle : METADATA_WAIT;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(alertsTopic, metadataWait);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalArgumentException("no answer from Kafka at " + servers + " within "
                        + Durations.format(metadataWait) + " (check --bootstrap-servers, the broker, and --property for TLS or SASL)");
            } catch (AuthenticationException | AuthorizationException | InvalidTopicException e) {
                throw new IllegalArgumentException("Kafka at " + servers + " refused: " + e.getMessage());
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + alertsTopic + " does not exist on " + servers);
            }
            infos.forEach(i -> parts.add(new TopicPartition(alertsTopic, i.partition())));
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
                        a = reader.read(r.value());
                    } catch (IOException e) {
                        spec.commandLine().getErr().println("driftwatch alerts tail: record at " + r.topic() + "/"
                                + r.partition() + "@" + r.offset() + " is not a DriftAlert: " + e.getMessage());
                        continue;
                    }
                    out.println(json ? AvroJson.writeString(a) : AlertText.format(a));
                    out.flush();
                    if (maxAlerts != null && ++shown >= maxAlerts) {
                        return ExitCodes.OK;
                    }
                }
                if (idle != null && System.nanoTime() - lastSeen > idle.toNanos()) {
                    return ExitCodes.OK;
                }
            }
        }
        return ExitCodes.OK;
    }
}
