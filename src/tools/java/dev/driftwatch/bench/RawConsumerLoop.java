package dev.driftwatch.bench;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.event.FeatureMap;
import dev.driftwatch.event.InferenceEventDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The raw limit: a plain KafkaConsumer loop per partition set that decodes every event with the job's decoder
 * and touches every feature value, doing nothing else. No framework can read and decode the topic faster on this
 * machine, so the job's throughput is judged against it.
 */
final class RawConsumerLoop {
    private RawConsumerLoop() {}

    /** Reads the whole topic with one thread per group of partitions; returns events/s from first record to end. */
    static double run(String bootstrap, String topic, int partitions, int threads) throws Exception {
        List<Thread> workers = new ArrayList<>();
        long[] counts = new long[threads];
        long[] firstNanos = new long[threads];
        double[] sums = new double[threads];
        Exception[] failures = new Exception[threads];
        for (int t = 0; t < threads; t++) {
            int worker = t;
            List<TopicPartition> mine = new ArrayList<>();
            for (int p = t; p < partitions; p += threads) {
                mine.add(new TopicPartition(topic, p));
            }
            workers.add(new Thread(() -> {
                try {
                    readAll(bootstrap, mine, worker, counts, firstNanos, sums);
                } catch (Exception e) {
                    failures[worker] = e;
                }
            }, "raw-consumer-" + t));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        long end = System.nanoTime();
        for (Exception e : failures) {
            if (e != null) {
                throw e;
            }
        }
        long total = 0;
        long first = Long.MAX_VALUE;
        double checksum = 0;
        for (int t = 0; t < threads; t++) {
            total += counts[t];
            first = Math.min(first, firstNanos[t]);
            checksum += sums[t];
        }
        if (Double.isNaN(checksum)) {
            // keeps the JIT from dropping the reads; never true for finite feature values
            throw new IllegalStateException("feature checksum is NaN");
        }
        return total / ((end - first) / 1e9);
    }

    private static void readAll(String bootstrap, List<TopicPartition> partitions, int worker,
                                long[] counts, long[] firstNanos, double[] sums) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "2000");
        // the job's KafkaSource reads with these fetch sizes too (client defaults)
        InferenceEventDecoder decoder = new InferenceEventDecoder(true);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long n = 0;
            double sum = 0;
            while (!done(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (n == 0) {
                        firstNanos[worker] = System.nanoTime();
                    }
                    InferenceEvent e = decoder.decode(r.value());
                    if (e.getFeatures() instanceof FeatureMap flat) {
                        // as the job reads them: by position, unboxed
                        for (int i = 0; i < flat.size(); i++) {
                            if (flat.isNumber(i)) {
                                sum += flat.number(i);
                            }
                        }
                    } else {
                        for (Object v : e.getFeatures().values()) {
                            if (v instanceof Double d) {
                                sum += d;
                            }
                        }
                    }
                    n++;
                }
            }
            counts[worker] = n;
            sums[worker] = sum;
        }
    }

    private static boolean done(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
