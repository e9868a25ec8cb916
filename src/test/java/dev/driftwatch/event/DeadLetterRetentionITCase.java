package dev.driftwatch.event;

import dev.driftwatch.config.ConfigException;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Dead letters hold raw bytes that may be personal data: with {@code kafka.dead-letter-retention} set, the job's
 * start leaves the dead-letter topic on a real broker with exactly that retention; without it the topic keeps its
 * own; a topic the job may not change stops the start with a line naming the key.
 */
class DeadLetterRetentionITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    static DriftConfig.Kafka kafka(String topic, String retention) {
        Map<String, Object> k = new HashMap<>();
        k.put("bootstrap-servers", KAFKA.bootstrapServers());
        k.put("dead-letter-topic", topic);
        if (retention != null) {
            k.put("dead-letter-retention", retention);
        }
        return DriftConfig.fromMap(Map.of("kafka", k)).kafka();
    }

    static String retentionMs(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            return admin.describeConfigs(List.of(r)).all().get().get(r).get("retention.ms").value();
        }
    }

    @Test
    void theStartSetsTheTopicsRetentionToTheConfiguredOneAndLeavesItAloneWithoutTheKey() throws Exception {
        KAFKA.createTopic("dlq-retention", 1, Map.of("retention.ms", Long.toString(Duration.ofDays(30).toMillis())));

        assertThat(DeadLetterRetention.apply(kafka("dlq-retention", null))).isNull();
        assertThat(retentionMs("dlq-retention")).isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));

        DeadLetterRetention.Outcome set = DeadLetterRetention.apply(kafka("dlq-retention", "3d"));
        assertThat(set.changed()).isTrue();
        assertThat(set.toString()).isEqualTo("dead-letter topic dlq-retention: retention set to 3d (was 30d)");
        assertThat(retentionMs("dlq-retention")).isEqualTo(Long.toString(Duration.ofDays(3).toMillis()));

        DeadLetterRetention.Outcome again = DeadLetterRetention.apply(kafka("dlq-retention", "3d"));
        assertThat(again.changed()).isFalse();
        assertThat(again.toString()).isEqualTo("dead-letter topic dlq-retention: retention 3d");
    }

    @Test
    void aTopicThatCannotBeChangedStopsTheStartWithALineNamingTheKeyAndTheTopic() {
        assertThatThrownBy(() -> DeadLetterRetention.apply(kafka("no-such-dlq", "1d")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kafka.dead-letter-retention: cannot set retention.ms of topic no-such-dlq on "
                        + KAFKA.bootstrapServers())
                .hasMessageContaining("UnknownTopicOrPartitionException");
    }
}
