package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.event.InferenceEventDecoder.DecodeException;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.registry.SchemaLookup;
import dev.driftwatch.registry.SchemaRegistryException;
import dev.driftwatch.registry.SchemaRegistryException.Kind;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Events in the Schema Registry wire format (byte 0, a big-endian 4-byte schema id, the Avro body, as Confluent's
 * serializers write them) decode to exactly what the same events decode to single-object encoded, whichever
 * compatible writer schema the id names; and every way that can go wrong is a dead-letter reason, never an
 * exception out of the decoder.
 */
class SchemaRegistryDecodingTest {
    static final Schema V1 = InferenceEventDecoder.shippedSchemas().get(0);
    static final Schema V2 = InferenceEvent.getClassSchema();
    /** Another team's copy of the schema: its own namespace, fields in another order, no docs. */
    static final Schema REORDERED = new Schema.Parser().parse("""
            {"type": "record", "name": "InferenceEvent", "namespace": "com.example.serving", "fields": [
              {"name": "model_name", "type": "string"},
              {"name": "event_id", "type": "string"},
              {"name": "prediction", "type": ["null", "double"], "default": null},
              {"name": "features", "type": {"type": "map", "values": ["null", "double", "string"]}},
              {"name": "model_version", "type": "string"},
              {"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "region", "type": "string", "default": "eu"}
            ]}""");
    /** Event time as text: no Avro rule reads it as the current schema's timestamp. */
    static final Schema INCOMPATIBLE = new Schema.Parser().parse("""
            {"type": "record", "name": "InferenceEvent", "fields": [
              {"name": "event_id", "type": "string"},
              {"name": "model_name", "type": "string"},
              {"name": "model_version", "type": "string"},
              {"name": "event_time", "type": "string"},
              {"name": "features", "type": {"type": "map", "values": ["null", "double", "string"]}}
            ]}""");

    static final Map<Integer, Schema> REGISTRY = Map.of(1, V2, 2, V1, 3, REORDERED, 4, INCOMPATIBLE);

    /** The registry as the decoder sees it: ids 1-4 known, 500 answering "unavailable", others unknown. */
    static final SchemaLookup LOOKUP = id -> {
        if (id == 500) {
            throw new SchemaRegistryException(Kind.UNAVAILABLE, "schema registry 127.0.0.1:8081: connection refused");
        }
        Schema s = REGISTRY.get(id);
        if (s == null) {
            throw new SchemaRegistryException(Kind.NOT_FOUND, "schema id " + id + " not found in the schema registry");
        }
        return s;
    };

    static InferenceEvent event() {
        Map<String, Object> f = new HashMap<>();
        f.put("age", 42.0);
        f.put("country", "DE");
        f.put("income", null);
        return InferenceEvent.newBuilder().setEventId("e1").setModelName("m").setModelVersion("v1")
                .setEventTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).setFeatures(f).setPrediction(0.7).build();
    }

    /** The event as a generic record of {@code schema} (fields it lacks left out, fields it adds at their default). */
    static GenericRecord asRecordOf(Schema schema, InferenceEvent e) {
        GenericRecord r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            Schema.Field current = V2.getField(f.name());
            Object v = current == null ? GenericData.get().getDefaultValue(f) : e.get(current.pos());
            r.put(f.name(), v instanceof java.time.Instant t ? (f.schema().getType() == Schema.Type.STRING ? t.toString() : t.toEpochMilli()) : v);
        }
        return r;
    }

    /** What Confluent's serializer writes: magic byte 0, the id big-endian, the Avro binary body. */
    static byte[] framed(int id, Schema writer, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }

    static DeadLetterReason reasonOf(InferenceEventDecoder decoder, byte[] bytes) {
        return catchThrowableOfType(DecodeException.class, () -> decoder.decode(bytes)).reason();
    }

    @Test
    void everyCompatibleWriterSchemaDecodesToTheSameEventAsSingleObjectEncoding() throws Exception {
        InferenceEvent expected = new InferenceEventDecoder(true).decode(AvroBytes.singleObject(event()));
        InferenceEventDecoder decoder = InferenceEventDecoder.schemaRegistry(LOOKUP);

        assertThat(decoder.decode(framed(1, V2, asRecordOf(V2, event())))).isEqualTo(expected);
        assertThat(decoder.decode(framed(3, REORDERED, asRecordOf(REORDERED, event())))).isEqualTo(expected);
        // version 1 has no label and no attributes; both are null in the current schema's event too
        assertThat(decoder.decode(framed(2, V1, asRecordOf(V1, event())))).isEqualTo(expected);
        assertThat(decoder.decode(framed(1, V2, asRecordOf(V2, event()))).getFeatures())
                .as("the shipped shapes take the fast path").isInstanceOf(FeatureMap.class);
    }

    @Test
    void anUnknownIdAnIncompatibleSchemaAndAnUnavailableRegistryAreDeadLetterReasons() throws Exception {
        InferenceEventDecoder decoder = InferenceEventDecoder.schemaRegistry(LOOKUP);
        DecodeException unknown = catchThrowableOfType(DecodeException.class,
                () -> decoder.decode(framed(999, V2, asRecordOf(V2, event()))));
        assertThat(unknown.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA);
        assertThat(unknown.getMessage()).startsWith("schema id 999: ");

        DecodeException incompatible = catchThrowableOfType(DecodeException.class,
                () -> decoder.decode(framed(4, INCOMPATIBLE, asRecordOf(INCOMPATIBLE, event()))));
        assertThat(incompatible.reason()).isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA);
        assertThat(incompatible.getMessage()).contains("schema id 4").contains("/fields/3/type");

        assertThat(reasonOf(decoder, framed(500, V2, asRecordOf(V2, event()))))
                .isEqualTo(DeadLetterReason.SCHEMA_REGISTRY_UNAVAILABLE);
    }

    @Test
    void bytesNotInTheWireFormatOrCutShortAreUndecodable() throws Exception {
        InferenceEventDecoder decoder = InferenceEventDecoder.schemaRegistry(LOOKUP);
        byte[] good = framed(1, V2, asRecordOf(V2, event()));
        byte[] reordered = framed(3, REORDERED, asRecordOf(REORDERED, event()));
        DecodeException singleObject = catchThrowableOfType(DecodeException.class,
                () -> decoder.decode(AvroBytes.singleObject(event())));
        assertThat(singleObject.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(singleObject.getMessage()).contains("first byte 0xc3");
        assertThat(reasonOf(decoder, new byte[] {0, 0, 1})).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOf(decoder, Arrays.copyOf(good, good.length - 4))).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOf(decoder, Arrays.copyOf(reordered, reordered.length - 4))).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOf(decoder, Arrays.copyOf(good, good.length + 3))).as("trailing bytes")
                .isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(decoder.decode(good)).as("and the decoder goes on").isEqualTo(event());
    }
}
