package dev.driftwatch.event;

import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.InferenceEvent;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * What the source emits for every Kafka record: the decoded event, or the raw bytes and why they could not
 * be decoded. Bad records travel on in the same stream so the pane stage dead-letters them with their offset.
 * A Flink POJO.
 */
public class DecodedRecord {
    public InferenceEvent event;
    public DeadLetterReason failure;
    public String error;
    /** Raw bytes, kept only for failures. */
    public byte[] rawKey;
    public byte[] rawValue;
    public String topic;
    public int partition;
    public long offset;

    public DecodedRecord() {}

    public static DecodedRecord ok(InferenceEvent event, String topic, int partition, long offset) {
        DecodedRecord r = new DecodedRecord();
        r.event = event;
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        return r;
    }

    public static DecodedRecord failed(DeadLetterReason reason, String error, byte[] key, byte[] value,
                                       String topic, int partition, long offset) {
        DecodedRecord r = new DecodedRecord();
        r.failure = reason;
        r.error = error;
        r.rawKey = key;
        r.rawValue = value;
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        return r;
    }

    public boolean isValid() {
        return failure == null;
    }

    /** A dead letter for this record: its raw bytes (or the event re-encoded) with a reason. */
    public DeadLetter toDeadLetter(DeadLetterReason reason, String detail) {
        byte[] value = rawValue;
        if (value == null && event != null) {
            try {
                ByteBuffer buf = event.toByteBuffer();
                value = new byte[buf.remaining()];
                buf.get(value);
            } catch (java.io.IOException e) {
                value = null;
            }
        }
        return DeadLetter.newBuilder()
                .setRawKey(rawKey == null ? null : ByteBuffer.wrap(rawKey))
                .setRawValue(value == null ? null : ByteBuffer.wrap(value))
                .setTopic(topic == null ? "" : topic)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason.name())
                .setError(detail == null ? "" : detail)
                .setRecordedAt(Instant.now())
                .build();
    }
}
