package dev.driftwatch.io;

import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;

import java.nio.charset.StandardCharsets;

/**
 * Kafka record keys and values of the job's output topics: values are Avro single-object encoded (the schema's
 * fingerprint travels with every record), keys are UTF-8 text. Named classes rather than lambdas so Flink can
 * see their types (the Kafka sink reports them as lineage).
 */
public final class AvroSerializationSchemas {
    private AvroSerializationSchemas() {}

    /** Single-object encoding of a generated Avro record. */
    public abstract static class SingleObject<T extends SpecificRecordBase> implements SerializationSchema<T> {
        @Override
        public byte[] serialize(T element) {
            return AvroBytes.singleObject(element);
        }
    }

    public static final class Alerts extends SingleObject<DriftAlert> {}

    public static final class Results extends SingleObject<FeatureDriftResult> {}

    public static final class DeadLetters extends SingleObject<DeadLetter> {}

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
