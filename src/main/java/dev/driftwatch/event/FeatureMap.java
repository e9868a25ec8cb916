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

    FeatureMap(FeatureLayout layout, byte[] tags, double[] numbers, String[] strings) {
        this.layout = layout;
        this.tags = tags;
        this.numbers = numbers;
        this.strings = strings;
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
