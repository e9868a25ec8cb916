package dev.driftwatch.bench;

import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job's own deserializer, noting when the first record of a run was read and, about every thousand records,
 * when the latest was: the benchmark times a job from its first record to its end, so job scheduling and Kafka
 * connection set-up (seconds, the same for every job) are not counted, and reports how long the job ran after its
 * last record was read. The MiniCluster runs in the benchmark's JVM, so static fields carry the figures back; each
 * task counts in its own instance (an atomic counter shared by the tasks was a contended write per record).
 */
final class TimedDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    static final AtomicLong FIRST_RECORD_NANOS = new AtomicLong();
    /** The instances the tasks of the current run opened. */
    static final Queue<TimedDeserializer> OPENED = new ConcurrentLinkedQueue<>();

    private final EventDeserializer delegate = new EventDeserializer(true);
    private transient boolean seen;
    private transient long records;
    private transient long lastNanos;

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        delegate.open(context);
        OPENED.add(this);
    }

    /** Records read by the tasks of the current run (read once the job has ended). */
    static long records() {
        long n = 0;
        for (TimedDeserializer d : OPENED) {
            n += d.records;
        }
        return n;
    }

    /** When the last record of the current run was read, to about a thousand records (read once the job has ended). */
    static long lastRecordNanos() {
        long last = 0;
        for (TimedDeserializer d : OPENED) {
            last = Math.max(last, d.lastNanos);
        }
        return last;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        if (!seen) {
            seen = true;
            FIRST_RECORD_NANOS.compareAndSet(0, System.nanoTime());
        }
        if ((++records & 1023) == 0) {
            lastNanos = System.nanoTime();
        }
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return delegate.getProducedType();
    }
}
