package dev.driftwatch.bench;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.LocalKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The throughput benchmark's events: {@code features} numeric features ~ N(0, 1) and a logistic score, spread
 * round-robin over {@code models} models and two partitions, in event-time order over a fixed span. Event i is
 * always the same, so every run of the benchmark reads the same topic.
 */
final class BenchTraffic {
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private final int features;
    private final int models;
    private final long events;
    private final long spanMillis;

    BenchTraffic(int features, int models, long events, long spanMillis) {
        this.features = features;
        this.models = models;
        this.events = events;
        this.spanMillis = spanMillis;
    }

    static String model(int m) {
        return "model-" + m;
    }

    static String feature(int j) {
        return "f" + j;
    }

    long eventTime(long i) {
        return T0 + (long) ((double) i * spanMillis / events);
    }

    /** Writes a training CSV of {@code rows} rows (features and a "score" column) drawn like the events. */
    void writeTrainingCsv(Path file, int rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int j = 0; j < features; j++) {
                w.write(feature(j));
                w.write(',');
            }
            w.write("score\n");
            for (int i = 0; i < rows; i++) {
                double[] x = row(-1 - i);
                for (double v : x) {
                    w.write(Double.toString(v));
                    w.write(',');
                }
                w.write(Double.toString(score(x)));
                w.write('\n');
            }
        }
    }

    double[] row(long i) {
        SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 17);
        double[] x = new double[features];
        for (int j = 0; j < features; j++) {
            x[j] = gaussian(r);
        }
        return x;
    }

    static double score(double[] x) {
        double z = -0.2;
        for (int j = 0; j < x.length; j++) {
            z += (j % 2 == 0 ? 0.3 : -0.2) * x[j];
        }
        return 1 / (1 + Math.exp(-z));
    }

    InferenceEvent event(long i) {
        double[] x = row(i);
        Map<String, Object> values = new HashMap<>(features * 2);
        for (int j = 0; j < features; j++) {
            values.put(feature(j), x[j]);
        }
        return InferenceEvent.newBuilder()
                .setEventId("e-" + i)
                .setModelName(model((int) (i % models)))
                .setModelVersion("v1")
                .setEventTime(Instant.ofEpochMilli(eventTime(i)))
                .setFeatures(values)
                .setPrediction(score(x))
                .build();
    }

    /**
     * Creates topics that keep every record: the events carry event times of January 2026, and a broker's default
     * retention (7 days by record timestamp) would delete them from under a running benchmark.
     */
    static void createTopics(String bootstrap, Map<String, Integer> partitionsByTopic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            partitionsByTopic.forEach((t, n) -> topics.add(new NewTopic(t, n, (short) 1)
                    .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1"))));
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Produces every event to topic (two partitions, alternating), Avro single-object encoded. */
    void load(LocalKafkaBroker broker, String topic) {
        try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
            for (long i = 0; i < events; i++) {
                producer.send(new ProducerRecord<>(topic, (int) (i & 1), eventTime(i), null, AvroBytes.singleObject(event(i))));
            }
            producer.flush();
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "20");
        p.put("batch.size", Integer.toString(512 * 1024));
        p.put("buffer.memory", Long.toString(128L << 20));
        p.put("acks", "1");
        return new KafkaProducer<>(p);
    }

    static double gaussian(SplittableRandom r) {
        while (true) {
            double u = 2 * r.nextDouble() - 1;
            double v = 2 * r.nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) {
                return u * Math.sqrt(-2 * Math.log(s) / s);
            }
        }
    }
}
