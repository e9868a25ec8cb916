package dev.driftwatch.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of one section of the YAML config. Every key read is remembered, so that
 * {@link #rejectUnknownKeys()} can name any key the job does not know (a typo must not be silently ignored).
 */
public final class ConfigSection {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)");

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> known = new HashSet<>();

    public ConfigSection(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values == null ? Map.of() : values;
    }

    public String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public boolean has(String name) {
        known.add(name);
        return values.containsKey(name) && values.get(name) != null;
    }

    public ConfigSection section(String name) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return new ConfigSection(key(name), Map.of());
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new ConfigException(key(name) + ": expected a section (key: value pairs), got '" + v + "'");
        }
        return new ConfigSection(key(name), castMap(m));
    }

    /** A free-form map (e.g. Kafka client properties passed through), values as strings. */
    public Map<String, String> stringMap(String name) {
        known.add(name);
        Object v = values.get(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new ConfigException(key(name) + ": expected key: value pairs, got '" + v + "'");
        }
        m.forEach((k, val) -> out.put(String.valueOf(k), val == null ? "" : String.valueOf(val)));
        return out;
    }

    /** The raw sub-map of a section whose keys are names (e.g. per-feature overrides). */
    public Map<String, ConfigSection> sectionsByName(String name) {
        ConfigSection parent = section(name);
        Map<String, ConfigSection> out = new LinkedHashMap<>();
        for (String k : parent.values.keySet()) {
            out.put(k, parent.section(k));
        }
        return out;
    }

    public List<Map<String, Object>> list(String name) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new ConfigException(key(name) + ": expected a list, got '" + v + "'");
        }
        return l.stream().map(e -> {
            if (!(e instanceof Map<?, ?> m)) {
                throw new ConfigException(key(name) + ": expected a list of sections, got '" + e + "'");
            }
            return castMap(m);
        }).toList();
    }

    public String string(String name, String def) {
        known.add(name);
        Object v = values.get(name);
        return v == null ? def : String.valueOf(v);
    }

    public String requiredString(String name) {
        String s = string(name, null);
        if (s == null || s.isBlank()) {
            throw new ConfigException(key(name) + ": required, not set");
        }
        return s;
    }

    public int integer(String name, int def, int min, int max) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return def;
        }
        int i;
        try {
            i = v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? n.intValue() : Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name) + ": expected an integer, got '" + v + "'");
        }
        if (i < min || i > max) {
            throw new ConfigException(key(name) + ": must be between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    public double number(String name, double def, double minExclusive, double maxInclusive) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return def;
        }
        double d;
        try {
            d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name) + ": expected a number, got '" + v + "'");
        }
        if (!(d > minExclusive && d <= maxInclusive)) {
            throw new ConfigException(key(name) + ": must be in (" + minExclusive + ", " + maxInclusive + "], got " + d);
        }
        return d;
    }

    public boolean bool(String name, boolean def) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim().toLowerCase();
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(key(name) + ": expected true or false, got '" + v + "'");
    }

    public Duration duration(String name, Duration def) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return def;
        }
        return parseDuration(key(name), String.valueOf(v));
    }

    public <E extends Enum<E>> E choice(String name, Class<E> type, E def) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return def;
        }
        String s = String.valueOf(v).trim().toUpperCase().replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase().replace('_', '-'));
        }
        throw new ConfigException(key(name) + ": must be one of " + allowed + ", got '" + v + "'");
    }

    /** Fails on the first key of this section that was never read. Call after reading a section. */
    public void rejectUnknownKeys() {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new ConfigException(key(k) + ": unknown key (see README's configuration reference)");
            }
        }
    }

    public static Duration parseDuration(String key, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(key + ": expected a duration like 500ms, 30s, 10m, 2h or 7d, got '" + text + "'");
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

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
