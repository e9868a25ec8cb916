package dev.driftwatch.stats;

/**
 * A seeded, mergeable uniform sample of at most k doubles. Every offered value carries a uniform random key
 * and the reservoir keeps the k values with the smallest keys; adds skip ahead as Algorithm L does, and a
 * merge keeps the k smallest keys of both, which is a uniform sample of the union of the two streams.
 * A POJO (public no-arg constructor, getters and setters) so Flink serializes it without Kryo.
 */
public class Reservoir {
    public Reservoir() {}

    public Reservoir(int capacity, long seed) {
        throw new UnsupportedOperationException("TODO");
    }

    public void add(double value) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Offers a value with an explicit key in [0, 1) instead of a random one (the streaming job derives keys
     * from event ids, so the sample does not depend on arrival order); kept when among the k smallest keys.
     */
    public void offer(double value, double key) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Merges other into this (this keeps its own capacity); other is left unchanged. */
    public void merge(Reservoir other) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Number of values offered to this reservoir and to every reservoir merged into it. */
    public long seen() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Number of values held: min(k, seen). */
    public int size() {
        throw new UnsupportedOperationException("TODO");
    }

    /** A copy of the held values, in no particular order. */
    public double[] values() {
        throw new UnsupportedOperationException("TODO");
    }
}
