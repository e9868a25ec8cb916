package dev.driftwatch.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds parsed YAML (maps, lists, scalars) to config records: the one place where keys become typed values.
 *
 * <p>A record component {@code outOfOrderness} is the key {@code out-of-orderness}; its Java type says how the
 * value is read (string, number, boolean, {@link Durations duration}, enum, URI, list, free-form string map, nested
 * record, list of records, map of named records). {@link Default} gives the value of a key left out,
 * {@link Required} makes leaving it out an error, {@link Alias} reads an older name with a warning. Every key the
 * YAML holds must be known, or binding fails with the key's full path and the known keys; a key may also be written
 * dotted ({@code retry.max-age: 1h} for {@code retry: {max-age: 1h}}). Checks across keys live in the records'
 * compact constructors, which throw {@link ConfigException#at} with a key the binder completes with its path.
 */
public final class ConfigBinder {
    private final List<String> warnings = new ArrayList<>();

    /** A bound config and the warnings binding it gave (older key names, for example). */
    public record Bound<T>(T value, List<String> warnings) {}

    private ConfigBinder() {}

    /** Binds {@code yaml} (the parsed YAML of a section, null for an empty one) to {@code type}. */
    public static <T extends Record> Bound<T> bind(Class<T> type, Map<String, ?> yaml) {
        return bind("", type, yaml);
    }

    /** Binds one section found at {@code path} of the whole config (keys in errors start with it). */
    public static <T extends Record> Bound<T> bind(String path, Class<T> type, Map<String, ?> yaml) {
        ConfigBinder binder = new ConfigBinder();
        T value = binder.bindRecord(path, type, yaml == null ? Map.of() : yaml);
        return new Bound<>(value, List.copyOf(binder.warnings));
    }

    /** Every key {@code type} knows, as documented: {@code window.size}, {@code scoring.models[].path}, {@code tests.features.<name>.psi}, {@code kafka.properties.*}. */
    public static Set<String> keys(Class<? extends Record> type) {
        Set<String> out = new TreeSet<>();
        collectKeys("", type, out);
        return out;
    }

    private static void collectKeys(String prefix, Class<?> type, Set<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            String key = prefix + keyOf(c);
            Class<?> raw = c.getType();
            if (raw.isRecord()) {
                collectKeys(key + ".", raw, out);
            } else if (raw == List.class && typeArgument(c.getGenericType(), 0) instanceof Class<?> e && e.isRecord()) {
                collectKeys(key + "[].", e, out);
            } else if (raw == Map.class && typeArgument(c.getGenericType(), 1) instanceof Class<?> v && v.isRecord()) {
                collectKeys(key + ".<name>.", v, out);
            } else if (raw == Map.class) {
                out.add(key + ".*");
            } else {
                out.add(key);
            }
        }
    }

    /** The YAML key of a record component: its name in kebab case. */
    public static String keyOf(RecordComponent c) {
        return kebab(c.getName());
    }

    static String kebab(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                b.append('-').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private <T> T bindRecord(String path, Class<T> type, Map<String, ?> yaml) {
        Map<String, Object> values = expandDotted(path, type, yaml);
        RecordComponent[] components = type.getRecordComponents();
        Map<String, RecordComponent> byKey = new LinkedHashMap<>();
        Map<String, RecordComponent> byAlias = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            byKey.put(keyOf(c), c);
            Alias alias = c.getAnnotation(Alias.class);
            if (alias != null) {
                for (String a : alias.value()) {
                    byAlias.put(a, c);
                }
            }
        }
        Map<RecordComponent, Object> given = new LinkedHashMap<>();
        Map<RecordComponent, String> givenAs = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String key = e.getKey();
            RecordComponent c = byKey.get(key);
            if (c == null && byAlias.containsKey(key)) {
                c = byAlias.get(key);
                warnings.add(join(path, key) + " is an older name: write " + join(path, keyOf(c))
                        + (key.endsWith("_ms") && c.getType() == Duration.class ? " with a duration (e.g. 20ms)" : "")
                        + "; the old name will stop being read in a later version");
            }
            if (c == null) {
                throw unknownKey(path, key, byKey.keySet());
            }
            if (given.containsKey(c)) {
                throw new ConfigException(join(path, keyOf(c)) + ": given twice (as " + givenAs.get(c) + " and " + key + ")");
            }
            given.put(c, e.getValue());
            givenAs.put(c, key);
        }
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            String key = join(path, keyOf(c));
            Object raw = given.get(c);
            if (raw instanceof String s && s.isBlank()) {
                // an empty value reads as a key left out: its default, or null where it has none
                raw = null;
            }
            if (raw == null) {
                args[i] = absent(key, c);
            } else if (givenAs.get(c).endsWith("_ms") && c.getType() == Duration.class) {
                args[i] = Duration.ofMillis(toLong(key, raw));
            } else {
                args[i] = convert(key, c.getType(), c.getGenericType(), raw);
            }
        }
        try {
            Constructor<T> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ConfigException ce) {
                throw ce.under(path);
            }
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw new ConfigException((path.isEmpty() ? "config" : path) + ": " + iae.getMessage());
            }
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    /** {@code retry.max-age: 1h} becomes {@code retry: {max-age: 1h}} where {@code retry} is a nested record. */
    private static Map<String, Object> expandDotted(String path, Class<?> type, Map<String, ?> yaml) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : yaml.entrySet()) {
            String key = String.valueOf(e.getKey());
            int dot = key.indexOf('.');
            if (dot > 0 && nestedRecord(type, key.substring(0, dot))) {
                String head = key.substring(0, dot);
                Object section = out.computeIfAbsent(head, k -> new LinkedHashMap<String, Object>());
                if (!(section instanceof Map<?, ?>)) {
                    throw new ConfigException(join(path, head) + ": expected a section (key: value pairs), got '" + section + "'");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) section;
                m.put(key.substring(dot + 1), e.getValue());
            } else if (out.get(key) instanceof Map<?, ?> existing && e.getValue() instanceof Map<?, ?> more) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) existing;
                more.forEach((k, v) -> m.put(String.valueOf(k), v));
            } else {
                out.put(key, e.getValue());
            }
        }
        return out;
    }

    private static boolean nestedRecord(Class<?> type, String key) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (keyOf(c).equals(key)) {
                return c.getType().isRecord();
            }
        }
        return false;
    }

    private Object absent(String key, RecordComponent c) {
        Default def = c.getAnnotation(Default.class);
        if (def != null) {
            return convert(key, c.getType(), c.getGenericType(), def.value());
        }
        if (c.isAnnotationPresent(Required.class)) {
            throw new ConfigException(key + ": required, not set");
        }
        Class<?> t = c.getType();
        if (t.isRecord() && !c.isAnnotationPresent(OptionalSection.class)) {
            // a section left out is a section with every key at its default
            return bindRecord(key, t, Map.of());
        }
        if (t.isPrimitive()) {
            throw new IllegalStateException(key + ": a primitive config key needs a @Default");
        }
        return null;
    }

    private Object convert(String key, Class<?> type, Type generic, Object raw) {
        if (type == String.class) {
            return scalar(key, raw).trim();
        }
        if (type == int.class || type == Integer.class) {
            long v = toLong(key, raw);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new ConfigException(key + ": " + raw + " is out of range");
            }
            return (int) v;
        }
        if (type == long.class || type == Long.class) {
            return toLong(key, raw);
        }
        if (type == double.class || type == Double.class) {
            if (raw instanceof Number n) {
                return n.doubleValue();
            }
            try {
                return Double.parseDouble(scalar(key, raw).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": expected a number, got '" + raw + "'");
            }
        }
        if (type == boolean.class || type == Boolean.class) {
            if (raw instanceof Boolean b) {
                return b;
            }
            String s = scalar(key, raw).trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new ConfigException(key + ": expected true or false, got '" + raw + "'");
        }
        if (type == Duration.class) {
            String text = scalar(key, raw).trim();
            if (text.toUpperCase(Locale.ROOT).startsWith("PT") || text.toUpperCase(Locale.ROOT).startsWith("P")) {
                try {
                    // earlier versions read ISO-8601 in the airflow section: still read, with the one grammar named
                    Duration d = Duration.parse(text.toUpperCase(Locale.ROOT));
                    warnings.add(key + ": '" + text + "' is ISO-8601: write " + Durations.format(d)
                            + "; ISO durations will stop being read in a later version");
                    return d;
                } catch (java.time.format.DateTimeParseException e) {
                    // not ISO either: the grammar's own error below
                }
            }
            return Durations.parse(key, text);
        }
        if (type == URI.class) {
            try {
                return new URI(scalar(key, raw).trim());
            } catch (URISyntaxException e) {
                throw new ConfigException(key + ": not a URL (" + e.getReason() + ")");
            }
        }
        if (type.isEnum()) {
            return choice(key, type, raw);
        }
        if (type.isRecord()) {
            return bindRecord(key, type, section(key, raw));
        }
        if (type == List.class) {
            Type element = typeArgument(generic, 0);
            List<Object> out = new ArrayList<>();
            if (element == String.class && raw instanceof String s) {
                // a comma-separated list in one string: f1, f2, f3
                Arrays.stream(s.split(",")).map(String::trim).filter(t -> !t.isEmpty()).forEach(out::add);
                return Collections.unmodifiableList(out);
            }
            if (!(raw instanceof List<?> list)) {
                throw new ConfigException(key + ": expected a list, got '" + raw + "'");
            }
            for (int i = 0; i < list.size(); i++) {
                out.add(convert(key + "[" + i + "]", (Class<?>) element, element, list.get(i)));
            }
            return Collections.unmodifiableList(out);
        }
        if (type == Map.class) {
            Type valueType = typeArgument(generic, 1);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, ?> e : section(key, raw).entrySet()) {
                String k = String.valueOf(e.getKey());
                if (valueType == String.class) {
                    // pass-through properties (Kafka client settings): any key, value as written
                    out.put(k, e.getValue() == null ? "" : scalar(key + "." + k, e.getValue()));
                } else {
                    out.put(k, convert(key + "." + k, (Class<?>) valueType, valueType,
                            e.getValue() == null ? Map.of() : e.getValue()));
                }
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalStateException(key + ": no binding for " + type);
    }

    private static Object choice(String key, Class<?> type, Object raw) {
        String given = scalar(key, raw).trim();
        String normal = given.toLowerCase(Locale.ROOT).replace('_', '-');
        List<String> allowed = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            List<String> names = constant instanceof ConfigChoice cc ? cc.configNames()
                    : List.of(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
            if (names.contains(normal)) {
                return constant;
            }
            allowed.add(names.get(0));
        }
        throw new ConfigException(key + ": must be one of " + String.join(", ", allowed) + ", got '" + given + "'");
    }

    /** The config spelling of an enum constant, as documented. */
    public static String choiceName(Enum<?> constant) {
        return constant instanceof ConfigChoice cc ? cc.configNames().get(0)
                : constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static long toLong(String key, Object raw) {
        if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        try {
            return Long.parseLong(scalar(key, raw).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": expected a whole number, got '" + raw + "'");
        }
    }

    private static String scalar(String key, Object raw) {
        if (raw instanceof Map<?, ?> || raw instanceof List<?>) {
            throw new ConfigException(key + ": expected a single value, got a " + (raw instanceof Map<?, ?> ? "section" : "list"));
        }
        return String.valueOf(raw);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> section(String key, Object raw) {
        if (!(raw instanceof Map<?, ?> m)) {
            throw new ConfigException(key + ": expected a section (key: value pairs), got '" + raw + "'");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static Type typeArgument(Type generic, int index) {
        if (generic instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[index];
        }
        throw new IllegalStateException("a config list or map needs its element type: " + generic);
    }

    private static ConfigException unknownKey(String path, String key, Set<String> known) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.contains("password") || lower.contains("token") || lower.contains("secret")) {
            // never echo the value: a secret does not belong in the config at all
            return new ConfigException(join(path, key) + ": secrets are not accepted in the config; name an environment"
                    + " variable (" + key + "-env) or a file (" + key + "-file) that holds it");
        }
        String kebab = key.replace('_', '-');
        String hint = known.contains(kebab) ? "; did you mean " + kebab + "?" : "";
        return new ConfigException(join(path, key) + ": unknown key" + hint + " (known here: "
                + String.join(", ", new LinkedHashSet<>(known)) + "; docs/configuration.md lists every key)");
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
