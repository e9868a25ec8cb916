package dev.driftwatch.event;

import dev.driftwatch.config.ConfigException;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.config.Durations;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps the dead-letter topic's retention at {@code kafka.dead-letter-retention}. Dead letters hold the raw bytes of
 * the records they reject, which may be personal data, so how long they stay is a setting of the job, not whatever
 * the broker's default is. The job applies it when it starts ({@code retention.ms} of the topic, changed only
 * when it differs); without the key the topic keeps the retention it has.
 */
public final class DeadLetterRetention {
    /** How long the start waits for the broker before it gives up with a message. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private DeadLetterRetention() {}

    /** What {@link #apply} did: the retention the topic had and the one it has now. */
    public record Outcome(String topic, Duration before, Duration after) {
        public boolean changed() {
            return !before.equals(after);
        }

        @Override
        public String toString() {
            return changed()
                    ? "dead-letter topic " + topic + ": retention set to " + Durations.format(after) + " (was " + Durations.format(before) + ")"
                    : "dead-letter topic " + topic + ": retention " + Durations.format(after);
        }
    }

    /** The topic config that sets the retention, for callers that create the topic ({@code demo}, tests). */
    public static Map<String, String> topicConfig(Duration retention) {
        return Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }

    /**
     * Sets the dead-letter topic's {@code retention.ms} to {@code kafka.dead-letter-retention} when the key is set
     * and the topic's differs. Returns null when the key is not set.
     *
     * @throws ConfigException naming the key and the topic when the broker refuses (no such topic, not authorized
     *     to alter topic configs) or does not answer within 30 s
     */
    public static Outcome apply(DriftConfig.Kafka kafka) {
        Duration retention = kafka.deadLetterRetention();
        if (retention == null) {
            return null;
        }
        String topic = kafka.deadLetterTopic();
        Map<String, Object> props = new HashMap<>(kafka.properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(props)) {
            Config current = admin.describeConfigs(List.of(resource)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            ConfigEntry entry = current == null ? null : current.get(TopicConfig.RETENTION_MS_CONFIG);
            Duration before = entry == null || entry.value() == null ? null : Duration.ofMillis(Long.parseLong(entry.value()));
            if (retention.equals(before)) {
                return new Outcome(topic, before, retention);
            }
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis())),
                    AlterConfigOp.OpType.SET)))).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Outcome(topic, before == null ? Duration.ZERO : before, retention);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ConfigException("kafka.dead-letter-retention: cannot set retention.ms of topic " + topic + " on "
                    + kafka.bootstrapServers() + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                    + "); create the topic, grant this client AlterConfigs on it, or set its retention yourself and"
                    + " leave the key out");
        } catch (TimeoutException e) {
            throw new ConfigException("kafka.dead-letter-retention: no answer from " + kafka.bootstrapServers()
                    + " within " + Durations.format(TIMEOUT) + " while setting the retention of topic " + topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("kafka.dead-letter-retention: interrupted while setting the retention of topic " + topic);
        }
    }
}
