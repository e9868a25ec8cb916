package dev.driftwatch.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * driftwatch's records as plain JSON, one object per record: what the alert and results topics carry with
 * {@code kafka.alerts-format: json} / {@code kafka.results-format: json}, and what {@code driftwatch alerts tail
 * --json} prints. Readable by any consumer without Avro or a registry, so the rules are those of hand-written JSON,
 * not Avro's JSON encoding:
 * <ul>
 *   <li>an object per record, the Avro field names as keys, in schema order;</li>
 *   <li>times ({@code timestamp-millis}, {@code timestamp-micros}) as ISO-8601 text, {@code 2026-01-05T01:00:00Z};</li>
 *   <li>enums by symbol; unions as the plain value (no {@code {"double": 1.0}} wrapper);</li>
 *   <li>NaN and infinities as null (JSON has no such numbers); bytes as base64.</li>
 * </ul>
 * {@link #read} turns such an object back into the record (a null where the schema wants a double reads as NaN).
 */
public final class AvroJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AvroJson() {}

    /** The record as one line of JSON (UTF-8, no newline). */
    public static byte[] write(IndexedRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            value(g, record.getSchema(), record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@link #write} as a string. */
    public static String writeString(IndexedRecord record) {
        return new String(write(record), StandardCharsets.UTF_8);
    }

    private static void value(JsonGenerator g, Schema schema, Object v) throws IOException {
        switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) v;
                g.writeStartObject();
                for (Schema.Field f : schema.getFields()) {
                    g.writeFieldName(f.name());
                    value(g, f.schema(), r.get(f.pos()));
                }
                g.writeEndObject();
            }
            case UNION -> {
                if (v == null) {
                    g.writeNull();
                } else {
                    value(g, schema.getTypes().get(SpecificData.get().resolveUnion(schema, v)), v);
                }
            }
            case ARRAY -> {
                g.writeStartArray();
                for (Object item : (Collection<?>) v) {
                    value(g, schema.getElementType(), item);
                }
                g.writeEndArray();
            }
            case MAP -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    value(g, schema.getValueType(), e.getValue());
                }
                g.writeEndObject();
            }
            case ENUM, STRING -> g.writeString(v.toString());
            case BYTES -> g.writeString(Base64.getEncoder().encodeToString(bytes((ByteBuffer) v)));
            case FIXED -> g.writeString(Base64.getEncoder().encodeToString(((org.apache.avro.generic.GenericFixed) v).bytes()));
            case INT, LONG -> {
                if (v instanceof TemporalAccessor t) {
                    g.writeString(t.toString());
                } else if (isTimestamp(schema.getLogicalType())) {
                    long n = ((Number) v).longValue();
                    g.writeString((schema.getLogicalType() instanceof LogicalTypes.TimestampMicros
                            ? Instant.EPOCH.plusNanos(n * 1000) : Instant.ofEpochMilli(n)).toString());
                } else {
                    g.writeNumber(((Number) v).longValue());
                }
            }
            case FLOAT, DOUBLE -> {
                double d = ((Number) v).doubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeNull();
                }
            }
            case BOOLEAN -> g.writeBoolean((Boolean) v);
            case NULL -> g.writeNull();
        }
    }

    private static boolean isTimestamp(LogicalType t) {
        return t instanceof LogicalTypes.TimestampMillis || t instanceof LogicalTypes.TimestampMicros;
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    /**
     * Reads one JSON object written by {@link #write} (or by any producer following its rules) into a record of
     * {@code schema}'s generated class. Keys the schema does not know are ignored; a field left out takes its
     * default.
     *
     * @throws IOException when the text is not JSON or does not fit the schema, saying where
     */
    @SuppressWarnings("unchecked")
    public static <T extends IndexedRecord> T read(byte[] json, Schema schema) throws IOException {
        JsonNode node = MAPPER.readTree(json);
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        return (T) read(node, schema, "");
    }

    private static Object read(JsonNode n, Schema schema, String path) throws IOException {
        switch (schema.getType()) {
            case RECORD -> {
                expect(n.isObject(), "an object", n, path);
                IndexedRecord r = (IndexedRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field f : schema.getFields()) {
                    JsonNode fn = n.get(f.name());
                    r.put(f.pos(), fn == null ? SpecificData.get().getDefaultValue(f) : read(fn, f.schema(), path + "/" + f.name()));
                }
                return r;
            }
            case UNION -> {
                return readUnion(n, schema, path);
            }
            case ARRAY -> {
                expect(n.isArray(), "an array", n, path);
                List<Object> out = new ArrayList<>(n.size());
                for (int i = 0; i < n.size(); i++) {
                    out.add(read(n.get(i), schema.getElementType(), path + "/" + i));
                }
                return out;
            }
            case MAP -> {
                expect(n.isObject(), "an object", n, path);
                Map<String, Object> out = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    out.put(e.getKey(), read(e.getValue(), schema.getValueType(), path + "/" + e.getKey()));
                }
                return out;
            }
            case ENUM -> {
                expect(n.isTextual() && schema.hasEnumSymbol(n.asText()), "one of " + schema.getEnumSymbols(), n, path);
                return SpecificData.get().createEnum(n.asText(), schema);
            }
            case STRING -> {
                expect(n.isTextual(), "text", n, path);
                return n.asText();
            }
            case BYTES -> {
                expect(n.isTextual(), "base64 text", n, path);
                return ByteBuffer.wrap(Base64.getDecoder().decode(n.asText()));
            }
            case FIXED -> {
                expect(n.isTextual(), "base64 text", n, path);
                return SpecificData.get().createFixed(null, Base64.getDecoder().decode(n.asText()), schema);
            }
            case INT, LONG -> {
                LogicalType t = schema.getLogicalType();
                if (isTimestamp(t) || t instanceof LogicalTypes.Date) {
                    expect(n.isTextual(), "an ISO-8601 time", n, path);
                    try {
                        return t instanceof LogicalTypes.Date ? LocalDate.parse(n.asText()) : Instant.parse(n.asText());
                    } catch (DateTimeParseException e) {
                        throw new IOException(at(path) + "'" + n.asText() + "' is not an ISO-8601 time");
                    }
                }
                expect(n.canConvertToLong(), "a whole number", n, path);
                return schema.getType() == Schema.Type.INT ? (Object) n.asInt() : (Object) n.asLong();
            }
            case FLOAT, DOUBLE -> {
                // JSON has no NaN: a non-finite number was written as null
                expect(n.isNumber() || n.isNull(), "a number", n, path);
                double d = n.isNull() ? Double.NaN : n.asDouble();
                return schema.getType() == Schema.Type.FLOAT ? (Object) (float) d : (Object) d;
            }
            case BOOLEAN -> {
                expect(n.isBoolean(), "true or false", n, path);
                return n.asBoolean();
            }
            case NULL -> {
                expect(n.isNull(), "null", n, path);
                return null;
            }
        }
        throw new IOException(at(path) + "no JSON reading of " + schema.getType());
    }

    /** The branch a plain JSON value stands for: null, the first number branch, text, an object or an array. */
    private static Object readUnion(JsonNode n, Schema union, String path) throws IOException {
        for (Schema branch : union.getTypes()) {
            Schema.Type t = branch.getType();
            boolean fits = switch (t) {
                case NULL -> n.isNull();
                case DOUBLE, FLOAT -> n.isNumber();
                case INT, LONG -> branch.getLogicalType() != null ? n.isTextual() : n.isIntegralNumber();
                case STRING, ENUM, BYTES, FIXED -> n.isTextual();
                case BOOLEAN -> n.isBoolean();
                case RECORD, MAP -> n.isObject();
                case ARRAY -> n.isArray();
                case UNION -> false;
            };
            if (fits) {
                return read(n, branch, path);
            }
        }
        if (n.isNull()) {
            // a non-finite double of a union without null
            for (Schema branch : union.getTypes()) {
                if (branch.getType() == Schema.Type.DOUBLE || branch.getType() == Schema.Type.FLOAT) {
                    return read(n, branch, path);
                }
            }
        }
        throw new IOException(at(path) + "'" + n + "' fits no branch of " + union);
    }

    private static void expect(boolean ok, String what, JsonNode n, String path) throws IOException {
        if (!ok) {
            String shown = n.toString();
            throw new IOException(at(path) + "expected " + what + ", got " + (shown.length() > 60 ? shown.substring(0, 60) + "…" : shown));
        }
    }

    private static String at(String path) {
        return (path.isEmpty() ? "/" : path) + ": ";
    }
}
