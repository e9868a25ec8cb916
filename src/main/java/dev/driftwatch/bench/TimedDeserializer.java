package dev.driftwatch.bench;

import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The job's own deserializer, noting when the first record of a run was read: the benchmark times a job from
 * its first record to its end, so job scheduling and Kafka connection set-up (seconds, the same for every job)
 * are not counted. The MiniCluster runs in the benchmark's JVM, so a static field carries the time back.
 */
final class TimedDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    static final AtomicLong FIRST_RECORD_NANOS = new AtomicLong();
    static final AtomicLong RECORDS = new AtomicLong();

    private final EventDeserializer delegate = new EventDeserializer(true);
    private transient boolean seen;

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        delegate.open(context);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        if (!seen) {
            seen = true;
            FIRST_RECORD_NANOS.compareAndSet(0, System.nanoTime());
        }
        RECORDS.incrementAndGet();
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return delegate.getProducedType();
    }
}
