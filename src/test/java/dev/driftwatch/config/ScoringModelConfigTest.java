package dev.driftwatch.config;

import dev.driftwatch.config.ScoringModelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftwatch.config.ScoringModelConfig.MissingPolicy;
import dev.driftwatch.config.ScoringModelConfig.Provider;
import dev.driftwatch.config.ScoringModelConfig.Role;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** scoring.models[] entries: defaults as documented, and errors that name the key. */
class ScoringModelConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> map = new HashMap<>();
        map.put("model", "churn");
        map.put("path", "/models/churn.onnx");
        map.put("sha256", "AB".repeat(32));
        map.put("role", "replay");
        map.put("output-name", "probability");
        return map;
    }

    private static void assertRejected(Map<String, Object> map, String... fragments) {
        assertThatThrownBy(() -> ScoringModelConfig.fromMap(map))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    }

    @Test
    void minimalEntryGetsTheDocumentedDefaults() {
        ScoringModelConfig c = ScoringModelConfig.fromMap(minimal());
        assertThat(c.sha256()).isEqualTo("ab".repeat(32));
        assertThat(c.role()).isEqualTo(Role.REPLAY);
        assertThat(c.featureOrder()).isNull();
        assertThat(c.missingPolicy()).isEqualTo(MissingPolicy.IMPUTE_MEAN);
        assertThat(c.provider()).isEqualTo(Provider.CPU);
        assertThat(c.batchSize()).isEqualTo(256);
        assertThat(c.maxDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(c.skewTolerance()).isEqualTo(1e-4);
        assertThat(c.skewThreshold()).isEqualTo(0.01);
        assertThat(c.artifactLabel()).isEqualTo("replay");
    }

    @Test
    void fullShadowEntryIsRead() {
        Map<String, Object> map = minimal();
        map.putAll(Map.of("role", "SHADOW", "shadow-version", "v2-candidate", "feature-order", List.of("a", "b"),
                "missing-policy", "skip", "provider", "cuda", "batch-size", 32, "max-delay", "5ms",
                "skew-tolerance", 0.001, "skew-threshold", "0.05", "classifier", true));
        ScoringModelConfig c = ScoringModelConfig.fromMap(map);
        assertThat(c.role()).isEqualTo(Role.SHADOW);
        assertThat(c.artifactLabel()).isEqualTo("v2-candidate");
        assertThat(c.featureOrder()).containsExactly("a", "b");
        assertThat(c.missingPolicy()).isEqualTo(MissingPolicy.SKIP);
        assertThat(c.provider()).isEqualTo(Provider.CUDA);
        assertThat(c.batchSize()).isEqualTo(32);
        assertThat(c.maxDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(c.skewTolerance()).isEqualTo(0.001);
        assertThat(c.skewThreshold()).isEqualTo(0.05);
        assertThat(c.classifier()).isTrue();
    }

    @Test
    void featureOrderMayBeACommaSeparatedString() {
        Map<String, Object> map = minimal();
        map.put("feature-order", "age, income ,tenure");
        assertThat(ScoringModelConfig.fromMap(map).featureOrder()).containsExactly("age", "income", "tenure");
    }

    @Test
    void theSnakeCaseKeysOfEarlierVersionsAreReadWithAWarningNamingTheNewKey() {
        Map<String, Object> map = minimal();
        map.remove("output-name");
        map.putAll(Map.of("role", "shadow", "shadow_version", "v2", "output_name", "probability", "max_delay_ms", 5,
                "batch_size", 32));
        ConfigBinder.Bound<ScoringModelConfig> bound = ConfigBinder.bind("scoring.models[0]", ScoringModelConfig.class, map);
        assertThat(bound.value().artifactLabel()).isEqualTo("v2");
        assertThat(bound.value().maxDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(bound.value().batchSize()).isEqualTo(32);
        assertThat(bound.warnings()).anySatisfy(w -> assertThat(w)
                .startsWith("scoring.models[0].max_delay_ms is an older name: write scoring.models[0].max-delay with a duration"));
        assertThat(bound.warnings()).anySatisfy(w -> assertThat(w)
                .startsWith("scoring.models[0].shadow_version is an older name: write scoring.models[0].shadow-version"));
        assertThat(bound.warnings()).hasSize(4);

        map.put("shadow-version", "v3");
        assertThatThrownBy(() -> ScoringModelConfig.fromMap(map))
                .hasMessageStartingWith("scoring.models[].shadow-version: given twice");
    }

    @Test
    void errorsNameTheKey() {
        Map<String, Object> m;
        m = minimal(); m.remove("path");
        assertRejected(m, "scoring.models[].path: required, not set");
        m = minimal(); m.put("sha256", "abc");
        assertRejected(m, "scoring.models[].sha256: must be 64 hex digits");
        m = minimal(); m.put("role", "canary");
        assertRejected(m, "scoring.models[].role: must be one of replay, shadow, got 'canary'");
        m = minimal(); m.remove("role");
        assertRejected(m, "scoring.models[].role: required, not set");
        m = minimal(); m.put("role", "shadow");
        assertRejected(m, "scoring.models[].shadow-version: required when role is shadow");
        m = minimal(); m.put("batch-size", 0);
        assertRejected(m, "scoring.models[].batch-size: must be between 1 and 65536, got 0");
        m = minimal(); m.put("batch-size", "lots");
        assertRejected(m, "scoring.models[].batch-size: expected a whole number, got 'lots'");
        m = minimal(); m.put("max-delay", "0ms");
        assertRejected(m, "scoring.models[].max-delay: must be positive");
        m = minimal(); m.put("skew-threshold", 1.5);
        assertRejected(m, "scoring.models[].skew-threshold: must be in [0, 1]");
        m = minimal(); m.put("skew-tolerance", -1);
        assertRejected(m, "scoring.models[].skew-tolerance: must be >= 0");
        m = minimal(); m.put("provider", "tpu");
        assertRejected(m, "scoring.models[].provider: must be one of cpu, cuda, got 'tpu'");
        m = minimal(); m.put("missing-policy", "drop");
        assertRejected(m, "scoring.models[].missing-policy: must be one of impute-mean, skip, got 'drop'");
        m = minimal(); m.put("feature-order", List.of("a", "a"));
        assertRejected(m, "scoring.models[].feature-order: names a feature twice");
        m = minimal(); m.put("feature-order", List.of());
        assertRejected(m, "scoring.models[].feature-order: is empty");
        m = minimal(); m.put("classifier", "yes");
        assertRejected(m, "scoring.models[].classifier: expected true or false, got 'yes'");
        m = minimal(); m.put("batchsize", 10);
        assertRejected(m, "scoring.models[].batchsize: unknown key");
        m = minimal(); m.remove("output-name");
        assertRejected(m, "scoring.models[].output-name: required, not set");
    }
}
