package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka value bytes to {@link DecodedRecord}s. It never throws on bad bytes (a thrown exception would fail
 * and restart the job on the same record forever): the failure is carried to the pane stage instead.
 */
public class EventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    private final boolean singleObject;
    private transient InferenceEventDecoder decoder;

    public EventDeserializer(boolean singleObject) {
        this.singleObject = singleObject;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder = new InferenceEventDecoder(singleObject);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        if (decoder == null) {
            decoder = new InferenceEventDecoder(singleObject);
        }
        try {
            InferenceEvent event = decoder.decode(record.value());
            out.collect(DecodedRecord.ok(event, record.topic(), record.partition(), record.offset()));
        } catch (InferenceEventDecoder.DecodeException e) {
            out.collect(DecodedRecord.failed(e.reason(), e.getMessage(), record.key(), record.value(),
                    record.topic(), record.partition(), record.offset()));
        }
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return TypeInformation.of(DecodedRecord.class);
    }
}
