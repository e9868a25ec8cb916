package dev.driftwatch.config;

import java.time.Duration;

/** The range checks config records make in their constructors; each names the key it checks. */
final class Checks {
    private Checks() {}

    static Duration positive(String key, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw ConfigException.at(key, "must be positive, got " + (d == null ? "nothing" : Durations.format(d)));
        }
        return d;
    }

    static int atLeast(String key, int value, int min) {
        if (value < min) {
            throw ConfigException.at(key, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    static int between(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw ConfigException.at(key, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** {@code value} in (minExclusive, maxInclusive]. */
    static double inRange(String key, double value, double minExclusive, double maxInclusive) {
        if (!(value > minExclusive && value <= maxInclusive)) {
            throw ConfigException.at(key, "must be in (" + minExclusive + ", " + maxInclusive + "], got " + value);
        }
        return value;
    }

    static String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw ConfigException.at(key, "required, not set");
        }
        return value;
    }
}
