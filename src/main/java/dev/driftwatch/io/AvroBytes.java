package dev.driftwatch.io;

import org.apache.avro.specific.SpecificRecordBase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/** Avro single-object encoding of generated records (what their toByteBuffer() writes), as a byte array. */
public final class AvroBytes {
    private AvroBytes() {}

    public static byte[] singleObject(SpecificRecordBase record) {
        try {
            Method m = record.getClass().getMethod("toByteBuffer");
            ByteBuffer buf = (ByteBuffer) m.invoke(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (ReflectiveOperationException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException("cannot encode " + record.getClass().getSimpleName(), e);
        }
    }
}
