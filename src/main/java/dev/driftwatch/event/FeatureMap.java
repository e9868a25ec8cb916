package dev.driftwatch.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The features of one decoded event: a read-only {@code Map<String, Object>} that equals the map Avro's own reader
 * builds (values {@code Double}, {@code String} or null), stored as arrays over a shared {@link FeatureLayout}.
 * The hot paths (pane stage, scoring) read it by position; everything else uses it as a map.
 */
public final class FeatureMap extends AbstractMap<String, Object> {
    static final byte NULL = 0;
    static final byte NUMBER = 1;
    static final byte STRING = 2;

    private final FeatureLayout layout;
    private final byte[] tags;
    private final double[] numbers;
    private final String[] strings;
    // how many entries from the first on are finite numbers
    private final int finitePrefix;

    FeatureMap(FeatureLayout layout, byte[] tags, double[] numbers, String[] strings) {
        this.layout = layout;
        this.tags = tags;
        this.numbers = numbers;
        this.strings = strings;
        int prefix = 0;
        while (prefix < tags.length && tags[prefix] == NUMBER && Double.isFinite(numbers[prefix])) {
            prefix++;
        }
        this.finitePrefix = prefix;
    }

    public FeatureLayout layout() {
        return layout;
    }

    /** Whether the value at the position is a number (NaN and infinities included). */
    public boolean isNumber(int position) {
        return tags[position] == NUMBER;
    }

    /** The number at the position; only meaningful where {@link #isNumber} is true. */
    public double number(int position) {
        return numbers[position];
    }

    /**
     * Copies the numbers at the given positions into {@code row[offset, offset + positions.length)} as floats, the
     * scoring operator's input row. Returns false, with the row partly written, as soon as one is absent (position
     * -1), null, a string, NaN or infinite: the caller then takes the value-by-value path.
     */
    public boolean copyFiniteNumbers(int[] positions, float[] row, int offset) {
        for (int i = 0; i < positions.length; i++) {
            int p = positions[i];
            if (p < 0 || tags[p] != NUMBER) {
                return false;
            }
            double x = numbers[p];
            if (!Double.isFinite(x)) {
                return false;
            }
            row[offset + i] = (float) x;
        }
        return true;
    }

    /**
     * Like {@link #copyFiniteNumbers} for positions 0, 1, ..., n - 1 (a producer that writes the model's features
     * first, in the model's order): one straight loop the JIT vectorizes.
     */
    public boolean copyLeadingFiniteNumbers(int n, float[] row, int offset) {
        if (finitePrefix < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            row[offset + i] = (float) numbers[i];
        }
        return true;
    }

    /** The value at the position as the map holds it: a Double, a String or null. */
    public Object value(int position) {
        return switch (tags[position]) {
            case NUMBER -> numbers[position];
            case STRING -> strings[position];
            default -> null;
        };
    }

    @Override
    public int size() {
        return tags.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return layout.positionOf(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int p = layout.positionOf(key);
        return p < 0 ? null : value(p);
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < tags.length;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (next >= tags.length) {
                            throw new NoSuchElementException();
                        }
                        int p = next++;
                        return new AbstractMap.SimpleImmutableEntry<>(layout.name(p), value(p));
                    }
                };
            }

            @Override
            public int size() {
                return tags.length;
            }
        };
    }
}
