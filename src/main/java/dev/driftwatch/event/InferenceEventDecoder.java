package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.registry.SchemaLookup;
import dev.driftwatch.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes InferenceEvent bytes: Avro single-object encoding (the writer schema found by fingerprint among
 * every shipped version, schemas/history), plain binary Avro of the current schema, or the Schema Registry wire
 * format (magic byte 0, a 4-byte big-endian schema id, the Avro body; the writer schema from the registry by id).
 * Writer schemas of the shipped versions' shape are read by {@link FlatEventReader} into a {@link FeatureMap};
 * a schema of another shape by Avro's own resolving reader, when Avro's rules say the current schema can read it.
 * Never throws on bad bytes: it says why in a {@link DecodeException}. Not thread-safe (one per task).
 */
public final class InferenceEventDecoder {
    /** Resource names of every InferenceEvent schema version ever shipped. */
    private static final VarHandle LITTLE_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final List<String> HISTORY = List.of("InferenceEvent-v1.avsc", "InferenceEvent-v2.avsc");

    private static final byte[] SINGLE_OBJECT_MAGIC = {(byte) 0xC3, 0x01};
    private static final int SINGLE_OBJECT_HEADER = 10;
    private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int REGISTRY_HEADER = 5;
    private static final int MAX_WRITER_PLANS = 1024;

    private final boolean singleObject;
    // null unless the events are in the Schema Registry wire format
    private final SchemaLookup registry;
    // how to read each registry schema id seen, decided once per id
    private final Map<Integer, WriterPlan> plans = new HashMap<>();
    // the previous record's id and plan: a producer writes one schema for long stretches (no map lookup, no boxing)
    private int lastId;
    private WriterPlan lastPlan;
    private final BinaryMessageDecoder<InferenceEvent> messageDecoder;
    private final SpecificDatumReader<InferenceEvent> binaryReader;
    private BinaryDecoder reuse;
    private final FlatEventReader flatReader = new FlatEventReader();
    // writer schemas the flat reader reads, by fingerprint: v1-shaped (no label, attributes) and v2-shaped
    private final Set<Long> flatWithoutLabel = new HashSet<>();
    private final Set<Long> flatWithLabel = new HashSet<>();
    private final boolean flatBinary;

    public InferenceEventDecoder(boolean singleObject) {
        this(singleObject, null);
    }

    /** A decoder of the Schema Registry wire format, finding writer schemas by id through {@code registry}. */
    public static InferenceEventDecoder schemaRegistry(SchemaLookup registry) {
        return new InferenceEventDecoder(false, java.util.Objects.requireNonNull(registry, "registry"));
    }

    private InferenceEventDecoder(boolean singleObject, SchemaLookup registry) {
        this.singleObject = singleObject;
        this.registry = registry;
        this.messageDecoder = new BinaryMessageDecoder<>(SpecificData.get(), InferenceEvent.getClassSchema());
        for (Schema s : shippedSchemas()) {
            messageDecoder.addSchema(s);
            switch (flatShape(s)) {
                case 1 -> flatWithoutLabel.add(SchemaNormalization.parsingFingerprint64(s));
                case 2 -> flatWithLabel.add(SchemaNormalization.parsingFingerprint64(s));
                default -> { }
            }
        }
        this.binaryReader = new SpecificDatumReader<>(InferenceEvent.class);
        this.flatBinary = flatShape(InferenceEvent.getClassSchema()) == 2;
    }

    /**
     * Which shape of the current schema a writer schema has, field for field: 2 for all eight fields, 1 for the
     * first six (v1: no label, no attributes), 0 for anything else (read by Avro's own reader).
     */
    static int flatShape(Schema writer) {
        List<Schema.Field> current = InferenceEvent.getClassSchema().getFields();
        List<Schema.Field> fields = writer.getFields();
        if (fields.size() != 6 && fields.size() != 8 || current.size() != 8) {
            return 0;
        }
        for (int i = 0; i < fields.size(); i++) {
            Schema.Field f = fields.get(i);
            Schema.Field c = current.get(i);
            if (!f.name().equals(c.name()) || !sameType(f.schema(), c.schema())) {
                return 0;
            }
        }
        return fields.size() == 8 ? 2 : 1;
    }

    // the same Avro type, ignoring properties that only steer Java code generation (avro.java.string)
    private static boolean sameType(Schema a, Schema b) {
        return SchemaNormalization.toParsingForm(a).equals(SchemaNormalization.toParsingForm(b))
                && java.util.Objects.equals(a.getLogicalType(), b.getLogicalType());
    }

    /** Every InferenceEvent schema version shipped, oldest first. */
    public static List<Schema> shippedSchemas() {
        List<Schema> out = new ArrayList<>();
        for (String name : HISTORY) {
            try (InputStream in = InferenceEventDecoder.class.getResourceAsStream("/schemas/history/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("schema history resource missing: " + name);
                }
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public InferenceEvent decode(byte[] bytes) throws DecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "empty record value");
        }
        if (registry != null) {
            return decodeRegistryFramed(bytes);
        }
        if (singleObject && bytes.length >= SINGLE_OBJECT_HEADER
                && bytes[0] == SINGLE_OBJECT_MAGIC[0] && bytes[1] == SINGLE_OBJECT_MAGIC[1]) {
            long fingerprint = (long) LITTLE_ENDIAN_LONG.get(bytes, 2);
            if (flatWithLabel.contains(fingerprint)) {
                return flatReader.read(bytes, SINGLE_OBJECT_HEADER, true);
            }
            if (flatWithoutLabel.contains(fingerprint)) {
                return flatReader.read(bytes, SINGLE_OBJECT_HEADER, false);
            }
        }
        if (!singleObject && flatBinary) {
            InferenceEvent e = flatReader.read(bytes, 0, true);
            if (flatReader.position() != bytes.length) {
                throw new DecodeException(DeadLetterReason.UNDECODABLE,
                        "trailing bytes after a binary InferenceEvent (is the producer using single-object encoding?)");
            }
            return e;
        }
        try {
            if (singleObject) {
                return messageDecoder.decode(ByteBuffer.wrap(bytes));
            }
            reuse = DecoderFactory.get().binaryDecoder(bytes, reuse);
            InferenceEvent e = binaryReader.read(null, reuse);
            if (!reuse.isEnd()) {
                throw new DecodeException(DeadLetterReason.UNDECODABLE,
                        "trailing bytes after a binary InferenceEvent (is the producer using single-object encoding?)");
            }
            return e;
        } catch (MissingSchemaException e) {
            throw new DecodeException(DeadLetterReason.UNKNOWN_SCHEMA, "single-object fingerprint of no shipped InferenceEvent schema: " + e.getMessage());
        } catch (BadHeaderException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "not Avro single-object encoded: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "cannot decode InferenceEvent: " + msg);
        }
    }

    private InferenceEvent decodeRegistryFramed(byte[] bytes) throws DecodeException {
        if (bytes.length < REGISTRY_HEADER || bytes[0] != 0) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "not in the Schema Registry wire format (magic byte 0,"
                    + " a 4-byte schema id, the Avro body): " + (bytes.length < REGISTRY_HEADER
                    ? "only " + bytes.length + " bytes" : String.format("first byte 0x%02x", bytes[0] & 0xff)));
        }
        int id = (int) BIG_ENDIAN_INT.get(bytes, 1);
        WriterPlan plan = lastPlan != null && lastId == id ? lastPlan : plans.get(id);
        if (plan == null) {
            Schema writer;
            try {
                writer = registry.schemaById(id);
            } catch (SchemaRegistryException e) {
                DeadLetterReason reason = switch (e.kind()) {
                    case NOT_FOUND -> DeadLetterReason.UNKNOWN_SCHEMA;
                    case INVALID_SCHEMA, REJECTED -> DeadLetterReason.INCOMPATIBLE_SCHEMA;
                    case UNAVAILABLE -> DeadLetterReason.SCHEMA_REGISTRY_UNAVAILABLE;
                };
                throw new DecodeException(reason, "schema id " + id + ": " + e.getMessage());
            }
            plan = WriterPlan.of(writer);
            if (plans.size() >= MAX_WRITER_PLANS) {
                plans.clear();
            }
            plans.put(id, plan);
        }
        lastId = id;
        lastPlan = plan;
        if (plan.incompatibility != null) {
            throw new DecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, "schema id " + id + ": " + plan.incompatibility);
        }
        InferenceEvent e;
        boolean atEnd;
        if (plan.flatShape != 0) {
            e = flatReader.read(bytes, REGISTRY_HEADER, plan.flatShape == 2);
            atEnd = flatReader.position() == bytes.length;
        } else {
            try {
                reuse = DecoderFactory.get().binaryDecoder(bytes, REGISTRY_HEADER, bytes.length - REGISTRY_HEADER, reuse);
                e = plan.reader.read(null, reuse);
                atEnd = reuse.isEnd();
            } catch (IOException | RuntimeException ex) {
                String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
                throw new DecodeException(DeadLetterReason.UNDECODABLE, "cannot decode InferenceEvent of schema id " + id + ": " + msg);
            }
        }
        if (!atEnd) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "trailing bytes after an InferenceEvent of schema id " + id);
        }
        return e;
    }

    /**
     * How the events of one writer schema are read: by the flat reader (the shipped versions' shape, 1 or 2), by
     * Avro's resolving reader (another shape the current schema can read), or not at all (why, in Avro's words).
     */
    private record WriterPlan(int flatShape, SpecificDatumReader<InferenceEvent> reader, String incompatibility) {
        static WriterPlan of(Schema writer) {
            Schema reader = InferenceEvent.getClassSchema();
            if (writer.getType() != Schema.Type.RECORD) {
                return new WriterPlan(0, null, "a " + writer.getType().getName() + " schema, not an InferenceEvent record");
            }
            int shape = InferenceEventDecoder.flatShape(writer);
            if (shape != 0) {
                return new WriterPlan(shape, null, null);
            }
            SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                List<String> why = new ArrayList<>();
                for (SchemaCompatibility.Incompatibility i : check.getResult().getIncompatibilities()) {
                    why.add(i.getType() + " at " + i.getLocation() + (i.getMessage() == null ? "" : " (" + i.getMessage() + ")"));
                }
                return new WriterPlan(0, null, "the writer schema " + writer.getFullName()
                        + " cannot be read as an InferenceEvent: " + String.join("; ", why));
            }
            return new WriterPlan(0, new SpecificDatumReader<>(writer, reader), null);
        }
    }

    /** Why some bytes are not a usable event. */
    public static final class DecodeException extends Exception {
        private final DeadLetterReason reason;

        public DecodeException(DeadLetterReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public DeadLetterReason reason() {
            return reason;
        }
    }
}
