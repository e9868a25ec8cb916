package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.driftwatch.config.ScoringModelConfig.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a machine without a GPU (this one), a config that asks for CUDA still scores: on CPU, with a
 * warning in the log and {@code scoring_provider{provider="CPU"}} = 1.
 */
class CudaFallbackTest {

    private final List<LogEvent> warnings = new CopyOnWriteArrayList<>();
    private final AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            warnings.add(event.toImmutable());
        }
    };
    private Logger logger;

    @BeforeEach
    void captureSessionLog() {
        Configurator.setLevel(SharedOrtSessions.class.getName(), Level.INFO);
        logger = (Logger) LogManager.getLogger(SharedOrtSessions.class);
        capture.start();
        logger.addAppender(capture);
    }

    @AfterEach
    void stopCapture() {
        logger.removeAppender(capture);
        capture.stop();
    }

    @Test
    void askingForCudaWithoutAGpuScoresOnCpuWithAWarningAndAMetric() throws Exception {
        ScoringModelConfig cpu = TestModels.config(TestModels.MLP);
        ScoringModelConfig cuda = new ScoringModelConfig(cpu.model(), cpu.path(), cpu.sha256(), cpu.role(),
                cpu.shadowVersion(), cpu.featureOrder(), cpu.inputName(), cpu.outputName(), cpu.outputColumn(),
                cpu.missingPolicy(), Provider.CUDA, 4, Duration.ofSeconds(10), cpu.skewTolerance(),
                cpu.skewThreshold(), cpu.classifier());
        double[] expected = TestModels.outputs(TestModels.MLP);

        try (ScoringOperatorHarness h = new ScoringOperatorHarness(cuda, Map.of())) {
            h.harness.open();
            for (int i = 0; i < 4; i++) {
                h.harness.processElement(TestModels.event(TestModels.MLP, i, expected[i], i), i);
            }

            assertThat(h.operator.provider()).isEqualTo(Provider.CPU);
            assertThat(h.metric("scoring_provider").variables()).containsEntry("<provider>", "CPU");
            assertThat(h.gaugeValue("scoring_provider")).isEqualTo(1);
            assertThat(h.gaugeValue("scoring_provider_name")).isEqualTo("CPU");
            assertThat(warnings).filteredOn(e -> e.getLevel() == Level.WARN)
                    .singleElement()
                    .satisfies(e -> assertThat(e.getMessage().getFormattedMessage())
                            .contains("handbook_mlp.onnx", "CUDA execution provider asked for but it does not start",
                                    "scoring on CPU instead"));
            assertThat(h.output()).hasSize(4);
            for (int i = 0; i < 4; i++) {
                assertThat(h.output().get(i).getScore()).isCloseTo(expected[i], within(1e-5));
            }
        }
    }
}
