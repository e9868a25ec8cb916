package dev.driftwatch.event;

import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.event.InferenceEventDecoder.DecodeException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the binary Avro of the two shipped InferenceEvent versions (v1; v2 adds label and attributes) straight
 * into an {@link InferenceEvent} whose features are a {@link FeatureMap}: the generic reader's resolving parser,
 * per-value boxing, key strings and hash map were most of the pane stage's decode time. The map's keys are
 * compared byte for byte with the layout of the model's previous event, so a producer that writes its features in
 * a fixed order costs no string per key. Any other writer schema goes through Avro's own reader. Lengths and
 * counts are checked against the bytes left, so bad input fails with a message, never with a huge allocation.
 * Not thread-safe.
 */
final class FlatEventReader {
    private static final VarHandle LITTLE_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_LAYOUTS = 1024;
    private static final int MAX_MODELS = 4096;

    private final Map<List<String>, FeatureLayout> layouts = new HashMap<>();
    private final Map<String, FeatureLayout> lastLayoutByModel = new HashMap<>();
    // the previous event's model name and version: reused when the bytes are the same (cached hash downstream)
    private final String[] lastStrings = new String[2];
    private final byte[][] lastBytes = {new byte[0], new byte[0]};

    private byte[] buf;
    private int pos;
    private int end;
    private byte[] tags = new byte[64];
    private double[] numbers = new double[64];
    private String[] strings = new String[64];
    private String[] names = new String[64];

    /** Reads one event from {@code bytes[offset, bytes.length)}; v2 says whether label and attributes follow. */
    InferenceEvent read(byte[] bytes, int offset, boolean v2) throws DecodeException {
        buf = bytes;
        pos = offset;
        end = bytes.length;
        String eventId = readString("event_id");
        String model = readRepeated(0, "model_name");
        String version = readRepeated(1, "model_version");
        long eventTime = readLong("event_time");
        Map<String, Object> features = readFeatures(model);
        Double prediction = readUnion("prediction", 2) == 0 ? null : readDouble("prediction");
        Object label = null;
        Map<String, String> attributes = null;
        if (v2) {
            label = switch (readUnion("label", 3)) {
                case 0 -> null;
                case 1 -> readDouble("label");
                default -> readString("label");
            };
            if (readUnion("attributes", 2) == 1) {
                attributes = readAttributes();
            }
        }
        buf = null;
        return new InferenceEvent(eventId, model, version, Instant.ofEpochMilli(eventTime), features, prediction,
                label, attributes);
    }

    /** Where the last read stopped. */
    int position() {
        return pos;
    }

    private Map<String, Object> readFeatures(String model) throws DecodeException {
        FeatureLayout candidate = lastLayoutByModel.get(model);
        boolean matching = candidate != null;
        boolean anyString = false;
        int n = 0;
        for (long count = blockCount("features"); count != 0; count = blockCount("features")) {
            for (long c = 0; c < count; c++) {
                int length = readLength("feature name");
                grow(n + 1);
                if (matching && (n >= candidate.size() || !candidate.matches(n, buf, pos, length))) {
                    matching = false;
                    for (int i = 0; i < n; i++) {
                        names[i] = candidate.name(i);
                    }
                }
                if (!matching) {
                    names[n] = new String(buf, pos, length, StandardCharsets.UTF_8);
                }
                pos += length;
                switch (readUnion("value of a feature", 3)) {
                    case 0 -> {
                        tags[n] = FeatureMap.NULL;
                        numbers[n] = Double.NaN;
                    }
                    case 1 -> {
                        tags[n] = FeatureMap.NUMBER;
                        numbers[n] = readDouble("value of a feature");
                    }
                    default -> {
                        tags[n] = FeatureMap.STRING;
                        numbers[n] = Double.NaN;
                        strings[n] = readString("value of a feature");
                        anyString = true;
                    }
                }
                n++;
            }
        }
        if (matching && n != candidate.size()) {
            matching = false;
            for (int i = 0; i < n; i++) {
                names[i] = candidate.name(i);
            }
        }
        FeatureLayout layout = candidate;
        if (!matching) {
            layout = layoutOf(n);
            if (lastLayoutByModel.size() >= MAX_MODELS) {
                lastLayoutByModel.clear();
            }
            lastLayoutByModel.put(model, layout);
        }
        String[] values = null;
        if (anyString) {
            values = new String[n];
            for (int i = 0; i < n; i++) {
                values[i] = tags[i] == FeatureMap.STRING ? strings[i] : null;
                strings[i] = null;
            }
        }
        FeatureMap map = new FeatureMap(layout, Arrays.copyOf(tags, n), Arrays.copyOf(numbers, n), values);
        if (layout.hasDuplicates()) {
            // a key named twice: as Avro's reader does, the last value wins
            Map<String, Object> plain = new HashMap<>();
            for (int i = 0; i < n; i++) {
                plain.put(layout.name(i), map.value(i));
            }
            return plain;
        }
        return map;
    }

    private FeatureLayout layoutOf(int n) {
        List<String> key = List.of(Arrays.copyOf(names, n));
        FeatureLayout layout = layouts.get(key);
        if (layout == null) {
            layout = new FeatureLayout(key.toArray(new String[0]));
            if (layouts.size() < MAX_LAYOUTS) {
                layouts.put(key, layout);
            }
        }
        return layout;
    }

    private Map<String, String> readAttributes() throws DecodeException {
        Map<String, String> out = new HashMap<>();
        for (long count = blockCount("attributes"); count != 0; count = blockCount("attributes")) {
            for (long c = 0; c < count; c++) {
                String key = readString("attribute name");
                out.put(key, readString("attribute value"));
            }
        }
        return out;
    }

    /** Entries in the next block of a map (0 at its end); a negative count is followed by the block's byte size. */
    private long blockCount(String what) throws DecodeException {
        long count = readLong(what + " block count");
        if (count < 0) {
            count = -count;
            readLong(what + " block size");
        }
        // every entry takes at least two bytes (an empty key and a union branch)
        if (count < 0 || count > (end - pos) / 2) {
            throw bad("a block of " + count + " " + what + " entries is longer than the record");
        }
        return count;
    }

    private void grow(int n) {
        if (n > tags.length) {
            int size = Math.max(n, tags.length * 2);
            tags = Arrays.copyOf(tags, size);
            numbers = Arrays.copyOf(numbers, size);
            strings = Arrays.copyOf(strings, size);
            names = Arrays.copyOf(names, size);
        }
    }

    private String readRepeated(int slot, String what) throws DecodeException {
        int length = readLength(what);
        byte[] last = lastBytes[slot];
        String s;
        if (lastStrings[slot] != null && last.length == length && Arrays.equals(last, 0, length, buf, pos, pos + length)) {
            s = lastStrings[slot];
        } else {
            s = new String(buf, pos, length, StandardCharsets.UTF_8);
            lastStrings[slot] = s;
            lastBytes[slot] = Arrays.copyOfRange(buf, pos, pos + length);
        }
        pos += length;
        return s;
    }

    private String readString(String what) throws DecodeException {
        int length = readLength(what);
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    private int readLength(String what) throws DecodeException {
        long length = readLong(what + " length");
        if (length < 0 || length > end - pos) {
            throw bad(what + " of " + length + " bytes, but " + (end - pos) + " are left");
        }
        return (int) length;
    }

    private int readUnion(String what, int branches) throws DecodeException {
        long branch = readLong(what);
        if (branch < 0 || branch >= branches) {
            throw bad("union branch " + branch + " of " + what + " does not exist");
        }
        return (int) branch;
    }

    private double readDouble(String what) throws DecodeException {
        if (end - pos < 8) {
            throw bad(what + ": the record ends inside a double");
        }
        double d = Double.longBitsToDouble((long) LITTLE_ENDIAN_LONG.get(buf, pos));
        pos += 8;
        return d;
    }

    private long readLong(String what) throws DecodeException {
        if (pos < end && buf[pos] >= 0) {
            // one byte: lengths, counts and branch indexes almost always are
            int b = buf[pos++];
            return (b >>> 1) ^ -(b & 1);
        }
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= end) {
                throw bad(what + ": the record ends inside a number");
            }
            if (shift > 63) {
                throw bad(what + ": a variable-length number longer than 10 bytes");
            }
            int b = buf[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    private DecodeException bad(String what) {
        return new DecodeException(DeadLetterReason.UNDECODABLE, "cannot decode InferenceEvent: " + what + " (byte " + pos + ")");
    }
}
