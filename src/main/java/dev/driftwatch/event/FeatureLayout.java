package dev.driftwatch.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The feature names of an event in the order its producer encoded them. Events whose maps list the same names in
 * the same order share one instance (producers write a model's features in a fixed order), so a consumer can map
 * names to positions once per layout, compare layouts by identity, and read every later event by position:
 * no key strings, no hashing, no boxing per value.
 */
public final class FeatureLayout {
    private final String[] names;
    private final byte[][] utf8;
    private final Map<String, Integer> positions;

    FeatureLayout(String[] names) {
        this.names = names;
        this.utf8 = new byte[names.length][];
        this.positions = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            utf8[i] = names[i].getBytes(StandardCharsets.UTF_8);
            positions.put(names[i], i);
        }
    }

    /** Number of entries, duplicates included (see {@link #hasDuplicates}). */
    public int size() {
        return names.length;
    }

    public String name(int position) {
        return names[position];
    }

    /** Position of the name, or -1 when the events of this layout do not carry it. */
    public int positionOf(Object name) {
        Integer p = positions.get(name);
        return p == null ? -1 : p;
    }

    /** Positions of the given names (-1 for an absent one), for reading events of this layout by position. */
    public int[] positionsOf(List<String> wanted) {
        int[] out = new int[wanted.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = positionOf(wanted.get(i));
        }
        return out;
    }

    /** A map that names a key twice: its events are decoded into a plain map (the last value wins). */
    boolean hasDuplicates() {
        return positions.size() != names.length;
    }

    /** Whether entry {@code position} is the UTF-8 name in {@code buf[offset, offset + length)}. */
    boolean matches(int position, byte[] buf, int offset, int length) {
        byte[] name = utf8[position];
        return name.length == length && Arrays.equals(name, 0, length, buf, offset, offset + length);
    }
}
