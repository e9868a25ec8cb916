package dev.driftwatch.io;

import dev.driftwatch.registry.SchemaLookup;
import dev.driftwatch.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a value of an output topic (alerts, results) in whichever of the three formats
 * {@link AvroSerializationSchemas} writes, told apart by the first byte: {@code 0xC3 0x01} single-object Avro,
 * {@code 0x00} the Schema Registry wire format, <code>{</code> JSON. So a reader never needs to be told the topic's
 * format, and a topic whose format was changed reads through. The counterpart of the job's sinks, for
 * {@code driftwatch alerts tail} and for tests. Not thread-safe.
 */
public final class OutputRecordReader<T extends SpecificRecordBase> {
    private final Class<T> type;
    private final Schema schema;
    private final SchemaLookup registry;
    private final BinaryMessageDecoder<T> singleObject;
    private final Map<Integer, SpecificDatumReader<T>> readers = new HashMap<>();
    private BinaryDecoder reuse;

    /** @param registry where Schema Registry framed records find their writer schema; null when none is known */
    public OutputRecordReader(Class<T> type, SchemaLookup registry) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
        this.registry = registry;
        this.singleObject = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    }

    /**
     * The record the value holds.
     *
     * @throws IOException saying which format the bytes look like and what is wrong with them
     */
    public T read(byte[] value) throws IOException {
        if (value == null || value.length == 0) {
            throw new IOException("empty value");
        }
        if (value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == 0x01) {
            try {
                return singleObject.decode(value);
            } catch (IOException | RuntimeException e) {
                throw new IOException("single-object Avro that is not a " + schema.getName() + ": " + e.getMessage());
            }
        }
        if (value[0] == 0 && value.length >= 5) {
            return readRegistryFramed(value);
        }
        int first = 0;
        while (first < value.length && Character.isWhitespace(value[first])) {
            first++;
        }
        if (first < value.length && value[first] == '{') {
            return AvroJson.read(value, schema);
        }
        throw new IOException("neither single-object Avro (0xC3 0x01), the Schema Registry format (0x00) nor JSON ({)");
    }

    private T readRegistryFramed(byte[] value) throws IOException {
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            if (registry == null) {
                throw new IOException("in the Schema Registry format (schema id " + id + "): give the registry's URL to read it");
            }
            try {
                reader = new SpecificDatumReader<>(registry.schemaById(id), schema);
            } catch (SchemaRegistryException e) {
                throw new IOException("schema id " + id + ": " + e.getMessage());
            }
            readers.put(id, reader);
        }
        try {
            reuse = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, reuse);
            return reader.read(null, reuse);
        } catch (IOException | RuntimeException e) {
            throw new IOException("schema id " + id + ": not a " + type.getSimpleName() + " (" + e.getMessage() + ")");
        }
    }
}
