package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decoder's own reader against Avro's: random events of both shipped schema versions, written by Avro's
 * encoders (also in blocks with negative counts), must decode to equal events; bad bytes to UNDECODABLE.
 */
class FlatEventReaderTest {
    static final Schema V1 = InferenceEventDecoder.shippedSchemas().get(0);
    static final Schema V2 = InferenceEventDecoder.shippedSchemas().get(1);
    static final String[] NAMES = {"age", "income", "country", "f3", "größe", "名前", "", "a b", "x".repeat(200)};

    @Test
    void bothShippedSchemasAreReadByTheFlatReader() {
        assertThat(InferenceEventDecoder.flatShape(V1)).isEqualTo(1);
        assertThat(InferenceEventDecoder.flatShape(V2)).isEqualTo(2);
        assertThat(InferenceEventDecoder.flatShape(InferenceEvent.getClassSchema())).isEqualTo(2);
    }

    @Test
    void randomEventsDecodeExactlyAsAvrosOwnReaderDecodesThem() throws Exception {
        Random random = new Random(42);
        InferenceEventDecoder single = new InferenceEventDecoder(true);
        InferenceEventDecoder binary = new InferenceEventDecoder(false);
        for (int i = 0; i < 3000; i++) {
            boolean v2 = random.nextBoolean();
            boolean blocked = random.nextInt(3) == 0;
            GenericRecord r = randomRecord(random, v2 ? V2 : V1);
            byte[] datum = encode(r, blocked);
            byte[] framed = singleObject(v2 ? V2 : V1, datum);
            InferenceEvent expected = avroDecode(framed);
            InferenceEvent actual = single.decode(framed);
            assertThat(actual).as("event %d (v%d, blocked %s)", i, v2 ? 2 : 1, blocked).isEqualTo(expected);
            assertThat(actual.getFeatures()).isEqualTo(expected.getFeatures());
            assertThat(expected.getFeatures()).isEqualTo(actual.getFeatures());
            assertThat(actual.getFeatures().hashCode()).isEqualTo(expected.getFeatures().hashCode());
            if (v2) {
                assertThat(binary.decode(datum)).isEqualTo(expected);
            }
        }
    }

    @Test
    void eventsWithTheSameKeyOrderShareOneLayoutAndOthersDoNot() throws Exception {
        InferenceEventDecoder d = new InferenceEventDecoder(true);
        Map<String, Object> ab = new LinkedHashMap<>();
        ab.put("a", 1.0);
        ab.put("b", "x");
        Map<String, Object> ab2 = new LinkedHashMap<>();
        ab2.put("a", null);
        ab2.put("b", 2.0);
        Map<String, Object> ba = new LinkedHashMap<>();
        ba.put("b", 3.0);
        ba.put("a", 4.0);
        FeatureMap first = (FeatureMap) d.decode(framed("m", ab)).getFeatures();
        FeatureMap second = (FeatureMap) d.decode(framed("m", ab2)).getFeatures();
        FeatureMap reordered = (FeatureMap) d.decode(framed("m", ba)).getFeatures();
        FeatureMap otherModel = (FeatureMap) d.decode(framed("n", ab)).getFeatures();
        assertThat(second.layout()).isSameAs(first.layout());
        assertThat(reordered.layout()).isNotSameAs(first.layout());
        assertThat(otherModel.layout()).as("the same names in the same order, from the layout cache").isSameAs(first.layout());
        assertThat(second.isNumber(0)).isFalse();
        assertThat(second.value(0)).isNull();
        assertThat(second.number(1)).isEqualTo(2.0);
        assertThat(first.value(1)).isEqualTo("x");
        assertThat(reordered.layout().positionsOf(List.of("a", "b", "c"))).containsExactly(1, 0, -1);
        assertThat(reordered).containsEntry("a", 4.0).containsEntry("b", 3.0).hasSize(2);
    }

    @Test
    void aKeyNamedTwiceKeepsTheLastValueAsAvroDoes() throws Exception {
        // Avro's writer cannot repeat a key, so write the map by hand: two entries named "a"
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        writeIdsAndTime(enc);
        enc.writeMapStart();
        enc.setItemCount(2);
        enc.startItem();
        enc.writeString("a");
        enc.writeIndex(1);
        enc.writeDouble(1.0);
        enc.startItem();
        enc.writeString("a");
        enc.writeIndex(1);
        enc.writeDouble(2.0);
        enc.writeMapEnd();
        enc.writeIndex(0);
        enc.writeIndex(0);
        enc.writeIndex(0);
        enc.flush();
        byte[] framed = singleObject(V2, out.toByteArray());
        InferenceEvent e = new InferenceEventDecoder(true).decode(framed);
        assertThat(e).isEqualTo(avroDecode(framed));
        assertThat(e.getFeatures()).containsExactly(Map.entry("a", 2.0));
    }

    @Test
    void everyTruncationAndCorruptionIsUndecodableNeverAnotherError() throws Exception {
        Random random = new Random(3);
        InferenceEventDecoder d = new InferenceEventDecoder(true);
        for (int i = 0; i < 40; i++) {
            byte[] framed = singleObject(V2, encode(randomRecord(random, V2), i % 2 == 0));
            for (int cut = 0; cut < framed.length; cut++) {
                byte[] truncated = Arrays.copyOf(framed, cut);
                assertThatThrownBy(() -> d.decode(truncated)).as("cut at %d of %d", truncated.length, framed.length)
                        .isInstanceOfSatisfying(InferenceEventDecoder.DecodeException.class,
                                e -> assertThat(e.reason()).isIn(DeadLetterReason.UNDECODABLE, DeadLetterReason.UNKNOWN_SCHEMA));
            }
            for (int flip = 0; flip < 50; flip++) {
                byte[] corrupt = framed.clone();
                int at = 10 + random.nextInt(corrupt.length - 10);
                corrupt[at] = (byte) random.nextInt(256);
                try {
                    d.decode(corrupt);
                } catch (InferenceEventDecoder.DecodeException e) {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
                    assertThat(e.getMessage()).startsWith("cannot decode InferenceEvent");
                }
            }
        }
        // a count of a billion entries in a few bytes: refused before anything is allocated
        byte[] huge = singleObject(V2, hugeMapCount());
        assertThatThrownBy(() -> d.decode(huge)).isInstanceOfSatisfying(InferenceEventDecoder.DecodeException.class,
                e -> assertThat(e.getMessage()).contains("longer than the record"));
    }

    /** event_id, model_name, model_version and event_time of a hand-written datum. */
    static void writeIdsAndTime(BinaryEncoder enc) throws Exception {
        enc.writeString("e");
        enc.writeString("m");
        enc.writeString("v");
        enc.writeLong(5);
    }

    static byte[] hugeMapCount() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        writeIdsAndTime(enc);
        enc.writeLong(1_000_000_000L);
        enc.flush();
        return out.toByteArray();
    }

    static byte[] framed(String model, Map<String, Object> features) {
        InferenceEvent e = InferenceEvent.newBuilder().setEventId("e").setModelName(model).setModelVersion("v")
                .setEventTime(Instant.ofEpochMilli(1)).setFeatures(features).build();
        try {
            ByteBuffer b = e.toByteBuffer();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    static GenericRecord randomRecord(Random random, Schema schema) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("event_id", "id-" + random.nextLong());
        r.put("model_name", "model-" + random.nextInt(3));
        r.put("model_version", "v" + random.nextInt(2));
        r.put("event_time", random.nextLong());
        Map<String, Object> features = new LinkedHashMap<>();
        int n = random.nextInt(4) == 0 ? random.nextInt(51) : random.nextInt(4);
        List<String> names = new ArrayList<>(Arrays.asList(NAMES));
        for (int i = 0; i < n; i++) {
            String name = i < names.size() && random.nextBoolean() ? names.get(i) : "feature_" + i;
            features.put(name, randomValue(random));
        }
        r.put("features", features);
        r.put("prediction", random.nextBoolean() ? null : random.nextGaussian());
        if (schema.getField("label") != null) {
            r.put("label", switch (random.nextInt(3)) {
                case 0 -> null;
                case 1 -> (Object) random.nextDouble();
                default -> "label-" + random.nextInt(5);
            });
            if (random.nextBoolean()) {
                Map<String, String> attributes = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    attributes.put("k" + i, "v" + random.nextInt());
                }
                r.put("attributes", attributes);
            }
        }
        return r;
    }

    static Object randomValue(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> null;
            case 1 -> Double.NaN;
            case 2 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 3 -> "cat-" + random.nextInt(10) + "-ü";
            case 4 -> -0.0;
            default -> random.nextGaussian() * 1e6;
        };
    }

    /** The record's binary datum; blocked: maps written in blocks of 2 with byte sizes (negative counts). */
    static byte[] encode(GenericRecord r, boolean blocked) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = blocked
                ? new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null)
                : EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    static byte[] singleObject(Schema writer, byte[] datum) {
        ByteBuffer b = ByteBuffer.allocate(10 + datum.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xC3).put((byte) 0x01).putLong(SchemaNormalization.parsingFingerprint64(writer)).put(datum);
        return b.array();
    }

    /** Avro's own reading of the bytes (resolving the writer schema to the current one). */
    static InferenceEvent avroDecode(byte[] framed) throws Exception {
        BinaryMessageDecoder<InferenceEvent> decoder = new BinaryMessageDecoder<>(SpecificData.get(), InferenceEvent.getClassSchema());
        decoder.addSchema(V1);
        decoder.addSchema(V2);
        return decoder.decode(ByteBuffer.wrap(framed));
    }
}
