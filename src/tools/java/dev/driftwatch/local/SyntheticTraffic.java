package dev.driftwatch.local;

import dev.driftwatch.avro.InferenceEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The handbook's scenario as a stream: 10 features ~ N(0, 1) scored by a fixed logistic model, with optional
 * shifts of some features' means during event-time intervals. Deterministic: event i of a seed is always the same.
 * Used by `driftwatch demo`, the integration tests and the benchmarks.
 */
public final class SyntheticTraffic {
    public static final int FEATURES = 10;
    /** Logistic weights of the demo model; f3 and f7 (the demo's drifting features) matter little to it. */
    static final double[] WEIGHTS = {0.9, -0.7, 0.6, 0.05, 0.5, -0.4, 0.3, 0.05, 0.2, -0.1};
    static final double BIAS = -0.2;

    /** A mean shift of some features for events with event time in [from, to). */
    public record Shift(long fromMillis, long toMillis, Set<String> features, double meanShift) {}

    private final String model;
    private final String version;
    private final long seed;
    private final List<Shift> shifts;

    public SyntheticTraffic(String model, String version, long seed, List<Shift> shifts) {
        this.model = model;
        this.version = version;
        this.seed = seed;
        this.shifts = List.copyOf(shifts);
    }

    public static String feature(int i) {
        return "f" + i;
    }

    /** Feature values of row i, before any shift. */
    public static double[] row(long seed, long i) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        double[] x = new double[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            x[j] = gaussian(r);
        }
        return x;
    }

    /** The model's score of a row. */
    public static double score(double[] x) {
        double z = BIAS;
        for (int j = 0; j < FEATURES; j++) {
            z += WEIGHTS[j] * x[j];
        }
        return 1 / (1 + Math.exp(-z));
    }

    /** Event number i with the given event time, shifted when a shift covers that time. */
    public InferenceEvent event(long i, long eventTimeMillis) {
        double[] x = row(seed, i);
        for (Shift s : shifts) {
            if (eventTimeMillis >= s.fromMillis() && eventTimeMillis < s.toMillis()) {
                for (int j = 0; j < FEATURES; j++) {
                    if (s.features().contains(feature(j))) {
                        x[j] += s.meanShift();
                    }
                }
            }
        }
        Map<String, Object> features = new HashMap<>();
        for (int j = 0; j < FEATURES; j++) {
            features.put(feature(j), x[j]);
        }
        return InferenceEvent.newBuilder()
                .setEventId(model + "-" + seed + "-" + i)
                .setModelName(model)
                .setModelVersion(version)
                .setEventTime(Instant.ofEpochMilli(eventTimeMillis))
                .setFeatures(features)
                .setPrediction(score(x))
                .build();
    }

    /** A training set as CSV text: header f0..f9,score, then n rows. */
    public static String trainingCsv(long seed, int n) {
        StringBuilder sb = new StringBuilder(n * 200);
        List<String> header = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            header.add(feature(j));
        }
        header.add("score");
        sb.append(String.join(",", header)).append('\n');
        for (int i = 0; i < n; i++) {
            double[] x = row(seed, i);
            for (int j = 0; j < FEATURES; j++) {
                sb.append(x[j]).append(',');
            }
            sb.append(score(x)).append('\n');
        }
        return sb.toString();
    }

    private static double gaussian(SplittableRandom r) {
        // Marsaglia polar method: exact normals from a splittable (seedable, cheap) generator
        while (true) {
            double u = 2 * r.nextDouble() - 1;
            double v = 2 * r.nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) {
                return u * Math.sqrt(-2 * Math.log(s) / s);
            }
        }
    }
}
