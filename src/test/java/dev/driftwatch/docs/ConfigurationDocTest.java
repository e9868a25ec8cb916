package dev.driftwatch.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.driftwatch.config.ConfigBinder;
import dev.driftwatch.config.DriftConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is the one reference of the job's config keys: its tables describe exactly the keys the
 * config binder knows (found by reflection over the binder's records), and its example uses only described keys and
 * binds without error.
 */
class ConfigurationDocTest {
    static final Path DOC = Path.of("docs/configuration.md");
    /** A table row that documents a key: its first cell is the key's full path in backticks. */
    static final Pattern KEY_ROW = Pattern.compile("^\\|\\s*`([a-z0-9][a-z0-9.\\-\\[\\]<>*]*)`\\s*\\|", Pattern.MULTILINE);
    static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theDocDescribesExactlyTheKeysTheBinderKnows() throws IOException {
        Set<String> documented = documentedKeys();
        Set<String> known = ConfigBinder.keys(DriftConfig.class);
        assertThat(difference(known, documented)).as("keys the binder knows that docs/configuration.md does not describe").isEmpty();
        assertThat(difference(documented, known)).as("keys docs/configuration.md describes that the binder does not know").isEmpty();
    }

    @Test
    void theExampleUsesOnlyDescribedKeysAndBinds() throws IOException {
        Map<String, Object> example = example();
        Set<String> used = new TreeSet<>();
        flatten("", DriftConfig.class, example, used);
        assertThat(difference(used, documentedKeys())).as("keys of the example that the doc does not describe").isEmpty();
        assertThat(used).as("the example shows most of the keys").hasSizeGreaterThan(documentedKeys().size() / 2);
        ConfigBinder.Bound<DriftConfig> bound = ConfigBinder.bind(DriftConfig.class, example);
        assertThat(bound.warnings()).as("the example uses no older key names").isEmpty();
    }

    static Set<String> documentedKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        Matcher m = KEY_ROW.matcher(Files.readString(DOC));
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> example() throws IOException {
        Matcher m = YAML_BLOCK.matcher(Files.readString(DOC));
        assertThat(m.find()).as("docs/configuration.md has a ```yaml example").isTrue();
        return new ObjectMapper(new YAMLFactory()).readValue(m.group(1), Map.class);
    }

    /** The documented key of every key of {@code yaml}, found with the record types the binder binds it to. */
    @SuppressWarnings("unchecked")
    static void flatten(String prefix, Class<?> type, Map<String, Object> yaml, Set<String> out) {
        for (Map.Entry<String, Object> e : yaml.entrySet()) {
            String key = e.getKey();
            RecordComponent c = component(type, key);
            if (c == null) {
                int dot = key.indexOf('.');
                RecordComponent head = dot > 0 ? component(type, key.substring(0, dot)) : null;
                if (head != null && head.getType().isRecord()) {
                    flatten(prefix + key.substring(0, dot) + ".", head.getType(),
                            Map.of(key.substring(dot + 1), e.getValue()), out);
                } else {
                    out.add(prefix + key);
                }
                continue;
            }
            Object v = e.getValue();
            Class<?> t = c.getType();
            if (t.isRecord() && v instanceof Map<?, ?> section) {
                flatten(prefix + key + ".", t, (Map<String, Object>) section, out);
            } else if (t == List.class && argument(c, 0) instanceof Class<?> element && element.isRecord() && v instanceof List<?> list) {
                for (Object item : list) {
                    flatten(prefix + key + "[].", element, (Map<String, Object>) item, out);
                }
            } else if (t == Map.class && argument(c, 1) instanceof Class<?> value && value.isRecord() && v instanceof Map<?, ?> named) {
                for (Object section : named.values()) {
                    flatten(prefix + key + ".<name>.", value, (Map<String, Object>) section, out);
                }
            } else if (t == Map.class) {
                out.add(prefix + key + ".*");
            } else {
                out.add(prefix + key);
            }
        }
    }

    static RecordComponent component(Class<?> type, String key) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (ConfigBinder.keyOf(c).equals(key)) {
                return c;
            }
        }
        return null;
    }

    static Type argument(RecordComponent c, int i) {
        return c.getGenericType() instanceof ParameterizedType p ? p.getActualTypeArguments()[i] : null;
    }

    static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
