package dev.driftwatch.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftwatch.scoring.ScoringModelConfig.MissingPolicy;
import dev.driftwatch.scoring.ScoringModelConfig.Provider;
import dev.driftwatch.scoring.ScoringModelConfig.Role;
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
        map.put("output_name", "probability");
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
        map.putAll(Map.of("role", "SHADOW", "shadow_version", "v2-candidate", "feature_order", List.of("a", "b"),
                "missing_policy", "skip", "provider", "cuda", "batch_size", 32, "max_delay_ms", "5",
                "skew_tolerance", 0.001, "skew_threshold", "0.05", "classifier", true));
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
        map.put("feature_order", "age, income ,tenure");
        assertThat(ScoringModelConfig.fromMap(map).featureOrder()).containsExactly("age", "income", "tenure");
    }

    @Test
    void errorsNameTheKey() {
        Map<String, Object> m;
        m = minimal(); m.remove("path");
        assertRejected(m, "scoring.models[].path is required");
        m = minimal(); m.put("sha256", "abc");
        assertRejected(m, "scoring.models[].sha256 must be 64 lower-case hex digits");
        m = minimal(); m.put("role", "canary");
        assertRejected(m, "scoring.models[].role must be one of [replay, shadow], got canary");
        m = minimal(); m.remove("role");
        assertRejected(m, "scoring.models[].role is required");
        m = minimal(); m.put("role", "shadow");
        assertRejected(m, "scoring.models[].shadow_version is required when role is shadow");
        m = minimal(); m.put("batch_size", 0);
        assertRejected(m, "scoring.models[].batch_size must be in [1, 65536], got 0");
        m = minimal(); m.put("batch_size", "lots");
        assertRejected(m, "scoring.models[].batch_size must be a whole number, got lots");
        m = minimal(); m.put("max_delay_ms", 0);
        assertRejected(m, "scoring.models[].max_delay_ms must be > 0");
        m = minimal(); m.put("skew_threshold", 1.5);
        assertRejected(m, "scoring.models[].skew_threshold must be in [0, 1]");
        m = minimal(); m.put("skew_tolerance", -1);
        assertRejected(m, "scoring.models[].skew_tolerance must be >= 0");
        m = minimal(); m.put("provider", "tpu");
        assertRejected(m, "scoring.models[].provider must be one of [cpu, cuda]");
        m = minimal(); m.put("missing_policy", "drop");
        assertRejected(m, "scoring.models[].missing_policy must be one of [impute_mean, skip]");
        m = minimal(); m.put("feature_order", List.of("a", "a"));
        assertRejected(m, "scoring.models[].feature_order names a feature twice");
        m = minimal(); m.put("feature_order", List.of());
        assertRejected(m, "scoring.models[].feature_order is empty");
        m = minimal(); m.put("classifier", "yes");
        assertRejected(m, "scoring.models[].classifier must be true or false");
        m = minimal(); m.put("batchsize", 10);
        assertRejected(m, "scoring.models[].batchsize is not a known key");
        m = minimal(); m.remove("output_name");
        assertRejected(m, "scoring.models[].output_name is required");
    }
}
