package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes baselines to, and retires them from, a compacted baseline topic ({@link BaselineTopic}): what
 * `baseline publish` and `baseline retire` do. Idempotent producer, every record acknowledged by all in-sync
 * replicas before it returns.
 */
public final class BaselinePublisher {
    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> properties;

    public BaselinePublisher(String bootstrapServers, String topic, Map<String, String> properties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.properties = Map.copyOf(properties);
    }

    /** Creates the topic compacted when missing, then writes every baseline under its key; returns the keys. */
    public List<BaselineTopic.Key> publish(Collection<FeatureBaseline> baselines) {
        for (FeatureBaseline b : baselines) {
            new Baseline(b); // refuse a malformed baseline before anything is written
        }
        ensureTopic();
        List<BaselineTopic.Key> keys = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FeatureBaseline b : baselines) {
            BaselineTopic.Key k = BaselineTopic.key(b);
            keys.add(k);
            records.add(new ProducerRecord<>(topic, k.bytes(), BaselineTopic.value(b)));
        }
        send(records);
        return keys;
    }

    /**
     * Writes a tombstone for every live baseline of (model, version), or of that one feature when it is not null;
     * returns the retired keys. Nothing live to retire is an IllegalArgumentException.
     */
    public List<BaselineTopic.Key> retire(String model, String version, String feature, Duration readTimeout) {
        Map<BaselineTopic.Key, FeatureBaseline> live = BaselineTopic.readAll(bootstrapServers, topic, properties, readTimeout);
        List<BaselineTopic.Key> keys = live.keySet().stream()
                .filter(k -> k.model().equals(model) && k.version().equals(version)
                        && (feature == null || k.feature().equals(feature)))
                .toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("baseline topic " + topic + " has no live baseline of " + model + "/" + version
                    + (feature == null ? "" : "/" + feature));
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (BaselineTopic.Key k : keys) {
            records.add(new ProducerRecord<>(topic, k.bytes(), null));
        }
        send(records);
        return keys;
    }

    private void ensureTopic() {
        Properties p = new Properties();
        p.putAll(properties);
        p.put("bootstrap.servers", bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            BaselineTopic.ensureCompacted(admin, topic);
        }
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) {
        Properties p = new Properties();
        p.putAll(properties);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(producer.send(r));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to baseline topic " + topic, e);
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException("cannot write to baseline topic " + topic + " on "
                    + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause()));
        }
    }
}
