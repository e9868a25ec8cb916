package dev.driftwatch.io;

import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.config.DriftConfig.OutputFormat;
import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.registry.SchemaRegistry;
import dev.driftwatch.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Kafka record keys and values of the job's output topics. Values in one of three formats ({@link OutputFormat}):
 * Avro single-object encoding (the schema's fingerprint travels with every record; the default), one JSON object
 * per record ({@link AvroJson}), or the Schema Registry wire format (magic byte 0, the schema's 4-byte id under the
 * subject {@code <topic>-value}, the Avro body: what Confluent's serializers write). Keys are UTF-8 text. Each
 * schema tells Flink its record type (the Kafka sink reports it as lineage).
 */
public final class AvroSerializationSchemas {
    private AvroSerializationSchemas() {}

    /** The value schema of an output topic in the given format. */
    public static <T extends SpecificRecordBase> SerializationSchema<T> values(Class<T> type, OutputFormat format,
                                                                               SchemaRegistryConfig registry, String topic) {
        return switch (format) {
            case AVRO_SINGLE_OBJECT -> new SingleObject<>(type);
            case JSON -> new Json<>(type);
            case SCHEMA_REGISTRY -> new SchemaRegistryFramed<>(type, registry, topic);
        };
    }

    /** The base of every value schema: the record type it writes. */
    abstract static class Typed<T extends SpecificRecordBase> implements SerializationSchema<T>, ResultTypeQueryable<T> {
        final Class<T> type;

        Typed(Class<T> type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return TypeInformation.of(type);
        }
    }

    /** Single-object encoding of a generated Avro record. */
    public static class SingleObject<T extends SpecificRecordBase> extends Typed<T> {
        public SingleObject(Class<T> type) {
            super(type);
        }

        @Override
        public byte[] serialize(T element) {
            return AvroBytes.singleObject(element);
        }
    }

    /** One JSON object per record, as {@code driftwatch alerts tail --json} prints it. */
    public static final class Json<T extends SpecificRecordBase> extends Typed<T> {
        public Json(Class<T> type) {
            super(type);
        }

        @Override
        public byte[] serialize(T element) {
            return AvroJson.write(element);
        }
    }

    /**
     * The Schema Registry wire format. The schema's id is fetched once, when the sink's writer opens: registered
     * under {@code <topic>-value} (TopicNameStrategy, as Confluent's serializers do) or, with
     * {@code kafka.schema-registry.auto-register: false}, looked up there. A registry that cannot give the id fails
     * the writer's start with a message naming the subject (the job restarts by its restart strategy): an output
     * record cannot be written without it.
     */
    public static final class SchemaRegistryFramed<T extends SpecificRecordBase> extends Typed<T> {
        private final SchemaRegistryConfig registry;
        private final String subject;
        private transient SpecificDatumWriter<T> writer;
        private transient byte[] header;
        private transient ByteArrayOutputStream buffer;
        private transient BinaryEncoder encoder;

        public SchemaRegistryFramed(Class<T> type, SchemaRegistryConfig registry, String topic) {
            super(type);
            this.registry = Objects.requireNonNull(registry, "kafka.schema-registry");
            this.subject = topic + "-value";
        }

        @Override
        public void open(InitializationContext context) {
            context.getUserCodeClassLoader().registerReleaseHookIfAbsent("driftwatch-schema-registry", SchemaRegistry::releaseAll);
            open(SchemaRegistry.shared(registry));
        }

        /** Fetches the schema's id from {@code registry} (tests and {@link #serialize} before open). */
        void open(SchemaRegistry shared) {
            Schema schema = SpecificData.get().getSchema(type);
            int id;
            try {
                id = shared.idFor(subject, schema);
            } catch (SchemaRegistryException e) {
                throw new IllegalStateException("cannot get the schema id of " + schema.getName() + " under subject "
                        + subject + ": " + e.getMessage());
            }
            header = new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
            writer = new SpecificDatumWriter<>(schema);
            buffer = new ByteArrayOutputStream(1024);
        }

        @Override
        public byte[] serialize(T element) {
            if (writer == null) {
                open(SchemaRegistry.shared(registry));
            }
            buffer.reset();
            buffer.write(header, 0, header.length);
            encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
            try {
                writer.write(element, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }

    public static final class Alerts extends SingleObject<DriftAlert> {
        public Alerts() {
            super(DriftAlert.class);
        }
    }

    public static final class Results extends SingleObject<FeatureDriftResult> {
        public Results() {
            super(FeatureDriftResult.class);
        }
    }

    public static final class DeadLetters extends SingleObject<DeadLetter> {
        public DeadLetters() {
            super(DeadLetter.class);
        }
    }

    /** Alerts keyed by model, so one model's alerts stay in one partition, in order. */
    public static final class AlertKey implements SerializationSchema<DriftAlert> {
        @Override
        public byte[] serialize(DriftAlert a) {
            return a.getModel().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Results keyed by model and feature. */
    public static final class ResultKey implements SerializationSchema<FeatureDriftResult> {
        @Override
        public byte[] serialize(FeatureDriftResult r) {
            return (r.getModel() + "/" + r.getFeature()).getBytes(StandardCharsets.UTF_8);
        }
    }
}
