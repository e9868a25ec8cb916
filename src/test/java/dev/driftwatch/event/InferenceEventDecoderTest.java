package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.io.AvroBytes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceEventDecoderTest {
    static InferenceEvent event() {
        Map<String, Object> f = new HashMap<>();
        f.put("age", 42.0);
        f.put("country", "DE");
        f.put("income", null);
        return InferenceEvent.newBuilder().setEventId("e1").setModelName("m").setModelVersion("v1")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).setFeatures(f).setPrediction(0.7).build();
    }

    @Test
    void decodesCurrentSingleObjectEncodedEvents() throws Exception {
        InferenceEvent e = new InferenceEventDecoder(true).decode(AvroBytes.singleObject(event()));
        assertThat(e).isEqualTo(event());
    }

    @Test
    void decodesEventsWrittenWithTheVersion1Schema() throws Exception {
        Schema v1 = InferenceEventDecoder.shippedSchemas().get(0);
        assertThat(v1.getField("label")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("event_id", "old-1");
        old.put("model_name", "m");
        old.put("model_version", "v0");
        old.put("event_time", 1_600_000_000_000L);
        old.put("features", Map.of("age", 30.0));
        old.put("prediction", 0.2);
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
        byte[] arr = new byte[bytes.remaining()];
        bytes.get(arr);

        InferenceEvent e = new InferenceEventDecoder(true).decode(arr);
        assertThat(e.getEventId()).isEqualTo("old-1");
        assertThat(e.getFeatures()).containsEntry("age", 30.0);
        assertThat(e.getLabel()).isNull();
        assertThat(e.getAttributes()).isNull();
    }

    @Test
    void readsPlainBinaryAvroInThatFormat() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(InferenceEvent.class).write(event(), enc);
        enc.flush();
        assertThat(new InferenceEventDecoder(false).decode(out.toByteArray())).isEqualTo(event());
    }

    @Test
    void badBytesAreReportedWithAReasonNotThrownAsRuntimeErrors() {
        InferenceEventDecoder d = new InferenceEventDecoder(true);
        byte[] good = AvroBytes.singleObject(event());
        assertThatThrownBy(() -> d.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
                .isInstanceOfSatisfying(InferenceEventDecoder.DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE));
        assertThatThrownBy(() -> d.decode(Arrays.copyOf(good, good.length - 6)))
                .isInstanceOfSatisfying(InferenceEventDecoder.DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE));
        byte[] unknown = good.clone();
        unknown[3] ^= 0x5A; // corrupt the schema fingerprint
        assertThatThrownBy(() -> d.decode(unknown))
                .isInstanceOfSatisfying(InferenceEventDecoder.DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA));
        assertThatThrownBy(() -> d.decode(new byte[0]))
                .isInstanceOf(InferenceEventDecoder.DecodeException.class);
    }
}
