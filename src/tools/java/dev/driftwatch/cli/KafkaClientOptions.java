package dev.driftwatch.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** The Kafka flags of the baseline topic commands: brokers, topic and client properties passed through. */
final class KafkaClientOptions {
    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Baseline topic (compacted).")
    String topic;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "Kafka client property (TLS, SASL, ...); repeatable, like kafka.properties in the job's config.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "How long to wait for the brokers before giving up (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** The client properties, with timeouts so an unreachable broker fails the command instead of hanging it. */
    Map<String, String> clientProperties() {
        Map<String, String> p = new LinkedHashMap<>(properties);
        String ms = Long.toString(timeoutSeconds * 1000L);
        p.putIfAbsent("default.api.timeout.ms", ms);
        p.putIfAbsent("request.timeout.ms", ms);
        p.putIfAbsent("max.block.ms", ms);
        // the producer wants delivery.timeout >= linger + request.timeout
        p.putIfAbsent("delivery.timeout.ms", Long.toString(timeoutSeconds * 1000L + 1000));
        return p;
    }
}
