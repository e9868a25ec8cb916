package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.config.DriftConfig.EventFormat;
import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.registry.SchemaRegistry;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Objects;

/**
 * Kafka value bytes to {@link DecodedRecord}s. It never throws on bad bytes (a thrown exception would fail
 * and restart the job on the same record forever): the failure is carried to the pane stage instead. So is a
 * Schema Registry that cannot be asked: the record becomes a dead letter within one bounded lookup (see
 * {@link SchemaRegistry}), and the source goes on.
 */
public class EventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    private final EventFormat format;
    private final SchemaRegistryConfig registryConfig;
    private transient InferenceEventDecoder decoder;
    private transient Counter registryLookups;

    public EventDeserializer(boolean singleObject) {
        this(singleObject ? EventFormat.AVRO_SINGLE_OBJECT : EventFormat.AVRO_BINARY, null);
    }

    /**
     * @param registryConfig where the Schema Registry is; required for {@link EventFormat#SCHEMA_REGISTRY}, else unused
     */
    public EventDeserializer(EventFormat format, SchemaRegistryConfig registryConfig) {
        this.format = Objects.requireNonNull(format, "format");
        if (format == EventFormat.SCHEMA_REGISTRY && registryConfig == null) {
            throw new IllegalArgumentException("the schema-registry format needs kafka.schema-registry");
        }
        this.registryConfig = format == EventFormat.SCHEMA_REGISTRY ? registryConfig : null;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        if (registryConfig != null) {
            // the registry's caches live as long as the job's classes on this TaskManager, then let go of its threads
            context.getUserCodeClassLoader().registerReleaseHookIfAbsent("driftwatch-schema-registry", SchemaRegistry::releaseAll);
            SchemaRegistry registry = SchemaRegistry.shared(registryConfig);
            MetricGroup g = context.getMetricGroup().addGroup("driftwatch");
            registryLookups = g.counter("schema_registry_lookups");
            g.gauge("schema_registry_unavailable", (Gauge<Integer>) () -> registry.isUnavailable() ? 1 : 0);
        }
        decoder = newDecoder();
    }

    private InferenceEventDecoder newDecoder() {
        if (registryConfig == null) {
            return new InferenceEventDecoder(format == EventFormat.AVRO_SINGLE_OBJECT);
        }
        SchemaRegistry registry = SchemaRegistry.shared(registryConfig);
        Counter lookups = registryLookups;
        return InferenceEventDecoder.schemaRegistry(id -> registry.schemaById(id, () -> {
            if (lookups != null) {
                lookups.inc();
            }
        }));
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        if (decoder == null) {
            decoder = newDecoder();
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
