package dev.driftwatch.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of driftwatch's config keys, CLI flags and output: a whole number and a unit,
 * {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d} ({@code min} is read as minutes, a bare
 * {@code 0} as zero). {@link #format} writes a duration back in the same grammar, so what is printed can be pasted
 * into a config.
 */
public final class Durations {
    private static final Pattern GRAMMAR = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)");
    public static final String EXAMPLES = "500ms, 30s, 10m, 2h or 7d";

    private Durations() {}

    /** Parses {@code text}; {@code key} names the key or flag in the error. */
    public static Duration parse(String key, String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = GRAMMAR.matcher(s);
        if (!m.matches()) {
            String hint = s.toUpperCase().startsWith("P") ? " (ISO-8601 durations such as PT6H are not read: write 6h)" : "";
            throw new ConfigException(key + ": expected a duration like " + EXAMPLES + ", got '" + text + "'" + hint);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** {@code 5m}, {@code 90s}, {@code 1500ms}: the largest unit that writes {@code d} exactly. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
