package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.Schema;
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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes InferenceEvent bytes: Avro single-object encoding (the writer schema found by fingerprint among
 * every shipped version, schemas/history) or plain binary Avro of the current schema. Never throws on bad
 * bytes: it says why in a {@link DecodeException}. Not thread-safe (one per task).
 */
public final class InferenceEventDecoder {
    /** Resource names of every InferenceEvent schema version ever shipped. */
    static final List<String> HISTORY = List.of("InferenceEvent-v1.avsc", "InferenceEvent-v2.avsc");

    private final boolean singleObject;
    private final BinaryMessageDecoder<InferenceEvent> messageDecoder;
    private final SpecificDatumReader<InferenceEvent> binaryReader;
    private BinaryDecoder reuse;

    public InferenceEventDecoder(boolean singleObject) {
        this.singleObject = singleObject;
        this.messageDecoder = new BinaryMessageDecoder<>(SpecificData.get(), InferenceEvent.getClassSchema());
        for (Schema s : shippedSchemas()) {
            messageDecoder.addSchema(s);
        }
        this.binaryReader = new SpecificDatumReader<>(InferenceEvent.class);
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
