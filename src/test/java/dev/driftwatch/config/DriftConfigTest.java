package dev.driftwatch.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DriftConfigTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyOrCommentOnlyFileIsTheDefaultConfig() throws IOException {
        DriftConfig defaults = DriftConfig.parse("{}");
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
        Path comments = Files.writeString(dir.resolve("comments.yaml"), "# every key is optional\n\n");

        assertThat(DriftConfig.load(empty)).isEqualTo(defaults);
        assertThat(DriftConfig.load(comments)).isEqualTo(defaults);
    }

    @Test
    void emptyConfigGivesTheDocumentedDefaults() {
        DriftConfig c = DriftConfig.parse("{}");
        assertThat(c.window().size()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.window().slide()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.window().outOfOrderness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.window().idleness()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.window().maxDrift()).as("watermark alignment is off unless asked for").isNull();
        assertThat(c.window().driftUpdateInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.sampling().reservoirSize()).isEqualTo(1000);
        assertThat(c.sampling().maxFeatures()).isEqualTo(1000);
        assertThat(c.tests().defaults().alpha()).isEqualTo(0.01);
        assertThat(c.tests().defaults().psi()).isEqualTo(0.25);
        assertThat(c.tests().defaults().kl()).isEqualTo(0.1);
        assertThat(c.tests().defaults().missingRate()).isEqualTo(0.05);
        assertThat(c.tests().correction()).isEqualTo(DriftConfig.Correction.BONFERRONI);
        assertThat(c.alerting().consecutive()).isEqualTo(2);
        assertThat(c.alerting().driftShare()).isEqualTo(0.5);
        assertThat(c.kafka().format()).isEqualTo(DriftConfig.EventFormat.AVRO_SINGLE_OBJECT);
    }

    @Test
    void anEmptyFileOrOneOfCommentsOnlyIsTheDefaultConfig(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty.yaml"), "");
        java.nio.file.Path comments = java.nio.file.Files.writeString(dir.resolve("comments.yaml"), "# nothing set\n\n");
        assertThat(DriftConfig.load(empty)).isEqualTo(DriftConfig.parse("{}"));
        assertThat(DriftConfig.load(comments)).isEqualTo(DriftConfig.parse("{}"));
        assertThatThrownBy(() -> DriftConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a regular file");
    }

    @Test
    void readsEverySectionIncludingPerFeatureOverridesAndPassThroughProperties() {
        DriftConfig c = DriftConfig.parse("""
                kafka:
                  bootstrap-servers: broker:9093
                  format: avro-binary
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: PLAIN
                window: {size: 1h, slide: 5m, min-events: 10, max-drift: 15m, drift-update-interval: 200ms}
                tests:
                  correction: bh
                  alpha: 0.05
                  features:
                    income: {psi: 0.4}
                alerting: {consecutive: 3}
                """);
        assertThat(c.kafka().properties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.kafka().format()).isEqualTo(DriftConfig.EventFormat.AVRO_BINARY);
        assertThat(c.window().panesPerWindow()).isEqualTo(12);
        assertThat(c.window().maxDrift()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.window().driftUpdateInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.tests().forFeature("income").psi()).isEqualTo(0.4);
        assertThat(c.tests().forFeature("income").alpha()).isEqualTo(0.05);
        assertThat(c.tests().forFeature("age").psi()).isEqualTo(0.25);
        assertThat(c.tests().correction()).isEqualTo(DriftConfig.Correction.BH);
        assertThat(c.alerting().consecutive()).isEqualTo(3);
    }

    @Test
    void unknownKeysAndBadValuesNameTheKey() {
        assertThatThrownBy(() -> DriftConfig.parse("window: {sise: 10m}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("window.sise: unknown key");
        assertThatThrownBy(() -> DriftConfig.parse("kafak: {}"))
                .hasMessageStartingWith("kafak: unknown key");
        assertThatThrownBy(() -> DriftConfig.parse("window: {size: 10m, slide: 3m}"))
                .hasMessageStartingWith("window.size: must be a whole multiple of window.slide");
        assertThatThrownBy(() -> DriftConfig.parse("window: {size: ten minutes}"))
                .hasMessageStartingWith("window.size: expected a duration");
        assertThatThrownBy(() -> DriftConfig.parse("window: {max-drift: 0s}"))
                .hasMessageStartingWith("window.max-drift: must be positive");
        assertThatThrownBy(() -> DriftConfig.parse("tests: {alpha: 2}"))
                .hasMessageStartingWith("tests.alpha: must be in");
        assertThatThrownBy(() -> DriftConfig.parse("tests: {correction: holm}"))
                .hasMessageStartingWith("tests.correction: must be one of bonferroni, bh");
        assertThatThrownBy(() -> DriftConfig.parse("tests: {features: {income: {psy: 1}}}"))
                .hasMessageStartingWith("tests.features.income.psy: unknown key");
        assertThatThrownBy(() -> DriftConfig.parse("sampling: {reservoir-size: lots}"))
                .hasMessageStartingWith("sampling.reservoir-size: expected a whole number");
    }

    @Test
    void baselinesComeFromTheTopicWhenOneIsNamedAndNeverFromBoth() {
        DriftConfig c = DriftConfig.parse("baselines: {topic: driftwatch-baselines, load-timeout: 2m, fallback-to-newest: false}");
        assertThat(c.baselines().topic()).isEqualTo("driftwatch-baselines");
        assertThat(c.baselines().loadTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.baselines().fallbackToNewest()).isFalse();
        assertThat(dev.driftwatch.DriftJob.baselineSource(c).describe()).isEqualTo("baseline topic driftwatch-baselines");

        DriftConfig defaults = DriftConfig.parse("{}");
        assertThat(defaults.baselines().topic()).isNull();
        assertThat(defaults.baselines().fallbackToNewest()).isTrue();
        assertThat(dev.driftwatch.DriftJob.baselineSource(defaults).describe()).isEqualTo("baseline directory baselines");

        assertThatThrownBy(() -> DriftConfig.parse("baselines: {topic: t, directory: /mnt/b}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("baselines.directory: set either");
        assertThatThrownBy(() -> DriftConfig.parse("baselines: {topic: t, load-timeout: 0s}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("baselines.load-timeout: must be positive");
    }
}
