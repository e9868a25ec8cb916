package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wrong artifact stops the operator at start with one line naming the file and what differs. */
class OnnxModelArtifactTest {

    private final SharedOrtSessions sessions = new SharedOrtSessions();

    private static ScoringModelConfig withMap(String model, Map<String, Object> overrides) {
        Map<String, Object> map = TestModels.configMap(model);
        map.putAll(overrides);
        return ScoringModelConfig.fromMap(map);
    }

    private void assertRejected(ScoringModelConfig config, String... fragments) {
        assertThatThrownBy(() -> sessions.acquire(config))
                .isInstanceOf(InvalidModelArtifactException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").startsWith("scoring artifact ")
                            .contains(Path.of(config.path()).getFileName().toString());
                    for (String fragment : fragments) {
                        assertThat(e.getMessage()).contains(fragment);
                    }
                });
        assertThat(sessions.openSessions()).as("a rejected artifact keeps no session").isZero();
    }

    @Test
    void wrongSha256IsRejectedNamingBothDigests() {
        String wrong = "0".repeat(64);
        assertRejected(withMap(TestModels.MLP, Map.of("sha256", wrong)),
                "sha256 is " + TestModels.sha256(TestModels.MLP), "config expects " + wrong);
    }

    @Test
    void aModifiedFileFailsItsSha256(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("handbook_mlp.onnx");
        byte[] bytes = Files.readAllBytes(TestModels.path(TestModels.MLP));
        bytes[bytes.length - 1] ^= 1;
        Files.write(copy, bytes);
        assertRejected(withMap(TestModels.MLP, Map.of("path", copy.toString())), "sha256 is ");
    }

    @Test
    void missingFileIsRejected(@TempDir Path dir) {
        assertRejected(withMap(TestModels.MLP, Map.of("path", dir.resolve("nope.onnx").toString())),
                "cannot read it", "NoSuchFileException");
    }

    @Test
    void wrongInputNameIsRejectedListingTheRealOnes() {
        assertRejected(withMap(TestModels.MLP, Map.of("input-name", "x")),
                "has no input 'x' (config input-name)", "[features]");
    }

    @Test
    void wrongFeatureCountIsRejected() {
        List<String> nine = TestModels.featureOrder(TestModels.MLP).subList(0, 9);
        assertRejected(withMap(TestModels.MLP, Map.of("feature-order", nine)),
                "input 'features' takes 10 features but the feature order has 9");
    }

    @Test
    void wrongOutputNameIsRejected() {
        assertRejected(withMap(TestModels.LOGISTIC, Map.of("output-name", "score")),
                "has no output 'score'", "[probability]");
    }

    @Test
    void nonFloatOutputIsRejectedWithItsType() {
        assertRejected(withMap(TestModels.CLASSIFIER, Map.of("output-name", "label")),
                "output 'label' has element type INT64, expected FLOAT");
    }

    @Test
    void outputColumnBeyondTheOutputIsRejected() {
        assertRejected(withMap(TestModels.CLASSIFIER, Map.of("output_column", 2)),
                "output 'probabilities' has 2 columns but output_column is 2");
    }

    @Test
    void featureOrderComesFromMetadataAndTheLastColumnIsTheDefaultScore() {
        try (SharedOrtSessions.Lease lease = sessions.acquire(TestModels.config(TestModels.CLASSIFIER))) {
            assertThat(lease.signature().featureOrder()).containsExactly("x0", "x1", "x2", "x3", "x4", "x5");
            assertThat(lease.signature().outputWidth()).isEqualTo(2);
            assertThat(lease.signature().outputColumn()).isEqualTo(1);
        }
    }

    @Test
    void oneSessionPerArtifactClosedWithTheLastUser() {
        ScoringModelConfig config = TestModels.config(TestModels.MLP);
        SharedOrtSessions.Lease first = sessions.acquire(config);
        SharedOrtSessions.Lease second = sessions.acquire(config);
        assertThat(second.session()).isSameAs(first.session());
        assertThat(sessions.openSessions()).isEqualTo(1);
        first.close();
        first.close();
        assertThat(sessions.openSessions()).as("closing twice releases once").isEqualTo(1);
        second.close();
        assertThat(sessions.openSessions()).isZero();
        try (SharedOrtSessions.Lease third = sessions.acquire(config)) {
            assertThat(third.session()).as("a fresh session after the last user left").isNotSameAs(first.session());
        }
    }
}
