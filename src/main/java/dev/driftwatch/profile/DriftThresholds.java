package dev.driftwatch.profile;

import java.io.Serializable;

/**
 * The per-test thresholds a window is judged by, before any multiple-testing correction: alpha for KS and
 * chi-square, index thresholds for PSI, KL and the missing-rate change.
 */
public record DriftThresholds(double alpha, double psi, double kl, double missingRate) implements Serializable {
    public static final DriftThresholds DEFAULTS = new DriftThresholds(0.01, 0.25, 0.1, 0.05);

    public DriftThresholds {
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        if (!(psi > 0)) throw new IllegalArgumentException("psi threshold must be > 0, got " + psi);
        if (!(kl > 0)) throw new IllegalArgumentException("kl threshold must be > 0, got " + kl);
        if (!(missingRate > 0 && missingRate <= 1)) {
            throw new IllegalArgumentException("missing-rate threshold must be in (0, 1], got " + missingRate);
        }
    }

    public DriftThresholds withAlpha(double newAlpha) {
        return new DriftThresholds(newAlpha, psi, kl, missingRate);
    }
}
