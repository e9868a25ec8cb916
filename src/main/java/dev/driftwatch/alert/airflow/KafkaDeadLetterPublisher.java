package dev.driftwatch.alert.airflow;

import dev.driftwatch.io.AvroBytes;

import dev.driftwatch.avro.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends Airflow dead letters to the job's dead-letter topic as Avro-binary {@link DeadLetter} records (no
 * schema-registry framing), keyed by the record's raw key (the alert id), with an idempotent producer and
 * acks=all so a dead letter the sink has let go of is not lost.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final HashMap<String, String> producerProperties;

    /**
     * @param bootstrapServers the cluster of the dead-letter topic
     * @param topic the dead-letter topic
     * @param producerProperties extra producer settings (security, client id, ...); may be empty
     */
    public KafkaDeadLetterPublisher(String bootstrapServers, String topic, Map<String, String> producerProperties) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.producerProperties = new HashMap<>(producerProperties);
        this.producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
    }

    @Override
    public Channel open() {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "driftwatch-airflow-dead-letters");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        return new KafkaChannel(producer, topic);
    }

    /** A dead letter as written to the topic: Avro single-object encoding, like every driftwatch topic. */
    public static byte[] encode(DeadLetter deadLetter) {
        return AvroBytes.singleObject(deadLetter);
    }

    private static final class KafkaChannel implements Channel {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

        KafkaChannel(KafkaProducer<byte[], byte[]> producer, String topic) {
            this.producer = producer;
            this.topic = topic;
        }

        @Override
        public void publish(DeadLetter deadLetter) {
            ByteBuffer key = deadLetter.getRawKey();
            byte[] keyBytes = key == null ? null : toArray(key);
            producer.send(new ProducerRecord<>(topic, keyBytes, encode(deadLetter)), (metadata, error) -> {
                if (error != null) {
                    firstFailure.compareAndSet(null, error);
                }
            });
        }

        @Override
        public void flush() throws IOException {
            producer.flush();
            Exception failure = firstFailure.getAndSet(null);
            if (failure != null) {
                throw new IOException("could not write an Airflow dead letter to " + topic, failure);
            }
        }

        @Override
        public void close() {
            producer.close();
        }

        private static byte[] toArray(ByteBuffer buffer) {
            ByteBuffer b = buffer.duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    @Override
    public String toString() {
        return "KafkaDeadLetterPublisher{topic=" + topic + "}";
    }
}
