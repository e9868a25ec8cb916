package dev.driftwatch.baseline;

/**
 * Order-independent sampling keys: a value's key is a hash of its event id and feature, so the bottom-k sample
 * of a window is the same whichever task read the event and in whatever order partitions interleave. That keeps
 * alerts identical at any parallelism and across replays.
 */
public final class SamplingKeys {
    private SamplingKeys() {}

    /** SplitMix64's finaliser: a bijective mix with good avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64-bit hash of an event id (FNV-1a over chars, then mixed). */
    public static long eventHash(CharSequence eventId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < eventId.length(); i++) {
            h ^= eventId.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** Key in [0, 1) of one feature value of one event. */
    public static double key(long eventHash, long featureSalt) {
        return (mix(eventHash ^ featureSalt) >>> 11) * 0x1.0p-53;
    }
}
