package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.config.Durations;
import dev.driftwatch.io.AvroBytes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * The baseline topic's contract: a compacted Kafka topic with one record per (model, version, feature). The key is
 * {@code model/version/feature} in UTF-8, each part URL-encoded so that a '/' inside a name cannot be confused with
 * the separator; the value is the FeatureBaseline in Avro single-object encoding; a null value (tombstone) retires
 * the baseline. What `baseline publish` and `baseline retire` write and the job's topic source reads.
 */
public final class BaselineTopic {
    /** (model, version, feature) of one record; {@link #key} is its encoded form. */
    public record Key(String model, String version, String feature) {
        public byte[] bytes() {
            return (part(model) + "/" + part(version) + "/" + part(feature)).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return model + "/" + version + "/" + feature;
        }

        private static String part(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    private BaselineTopic() {}

    public static Key key(FeatureBaseline b) {
        return new Key(b.getModel(), b.getVersion(), b.getFeature());
    }

    /** Decodes a record key; an IllegalArgumentException when it is not model/version/feature. */
    public static Key parseKey(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("record has no key (expected model/version/feature)");
        }
        String s = new String(key, StandardCharsets.UTF_8);
        String[] parts = s.split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("key '" + s + "' is not model/version/feature");
        }
        return new Key(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                URLDecoder.decode(parts[1], StandardCharsets.UTF_8),
                URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
    }

    public static byte[] value(FeatureBaseline b) {
        return AvroBytes.singleObject(b);
    }

    /** Decodes a record value and checks that it belongs to the key it was written under. */
    public static FeatureBaseline parseValue(Key key, byte[] value) {
        FeatureBaseline b;
        try {
            b = FeatureBaseline.fromByteBuffer(ByteBuffer.wrap(value));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("value of " + key + " is not a single-object encoded FeatureBaseline: " + e.getMessage(), e);
        }
        if (!key(b).equals(key)) {
            throw new IllegalArgumentException("value of " + key + " holds the baseline of " + key(b));
        }
        new Baseline(b); // the same checks a job applies, so a bad record is refused where it is read
        return b;
    }

    /** Client properties of a plain reader of the topic: no consumer group, no commits, committed data only. */
    public static Properties consumerProperties(String bootstrapServers, Map<String, String> properties) {
        Properties p = new Properties();
        p.putAll(properties);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.remove("group.id");
        return p;
    }

    /** Every live baseline of the topic (tombstones applied), read once from the beginning to the current end. */
    public static Map<Key, FeatureBaseline> readAll(String bootstrapServers, String topic, Map<String, String> properties,
                                                    Duration timeout) {
        Map<Key, FeatureBaseline> live = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers, properties))) {
            List<TopicPartition> parts = partitions(consumer, topic);
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("baseline topic " + topic + ": not read to its end within " + Durations.format(timeout));
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Key k = parseKey(r.key());
                    if (r.value() == null) {
                        live.remove(k);
                    } else {
                        live.put(k, parseValue(k, r.value()));
                    }
                }
            }
        }
        return live;
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        var infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("baseline topic " + topic + " does not exist (create it with `driftwatch baseline publish`)");
        }
        List<TopicPartition> out = new ArrayList<>();
        infos.forEach(i -> out.add(new TopicPartition(topic, i.partition())));
        return out;
    }

    static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Creates the topic compacted (broker's default partitions and replication) when it is missing; refuses an
     * existing topic that is not compacted, since deletion by retention would silently lose baselines.
     */
    public static void ensureCompacted(Admin admin, String topic) {
        try {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new UncheckedIOException(new IOException("cannot create baseline topic " + topic + ": "
                            + e.getCause().getMessage(), e.getCause()));
                }
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new IllegalArgumentException("baseline topic " + topic + " exists with cleanup.policy="
                        + (policy == null ? "?" : policy.value()) + "; it must be compact, or old baselines are deleted by retention");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking baseline topic " + topic, e);
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException("cannot describe baseline topic " + topic + ": "
                    + e.getCause().getMessage(), e.getCause()));
        }
    }
}
