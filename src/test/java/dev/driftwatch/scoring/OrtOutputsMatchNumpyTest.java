package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.driftwatch.config.ScoringModelConfig.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** ONNX Runtime's scores of the generated models agree with numpy's to 1e-5, however batched. */
class OrtOutputsMatchNumpyTest {

    @ParameterizedTest
    @ValueSource(strings = {TestModels.MLP, TestModels.LOGISTIC, TestModels.CLASSIFIER})
    void scoresOfEveryRowMatchNumpy(String model) throws Exception {
        float[][] inputs = TestModels.inputs(model);
        double[] expected = TestModels.outputs(model);
        try (SharedOrtSessions.Lease lease = new SharedOrtSessions().acquire(TestModels.config(model))) {
            assertThat(lease.provider()).isEqualTo(Provider.CPU);
            assertThat(lease.signature().featureOrder()).isEqualTo(TestModels.featureOrder(model));
            List<Float> scores = scoreInBatches(lease, inputs, inputs.length);
            assertThat(scores).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) scores.get(i)).as("%s row %d", model, i).isCloseTo(expected[i], within(1e-5));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 32})
    void batchSizeDoesNotChangeScores(int batchSize) throws Exception {
        float[][] inputs = TestModels.inputs(TestModels.MLP);
        double[] expected = TestModels.outputs(TestModels.MLP);
        try (SharedOrtSessions.Lease lease = new SharedOrtSessions().acquire(TestModels.config(TestModels.MLP))) {
            List<Float> scores = scoreInBatches(lease, inputs, batchSize);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) scores.get(i)).isCloseTo(expected[i], within(1e-5));
            }
        }
    }

    @Test
    void classifierLabelOutputIsTheArgmaxOfNumpysProbabilities() throws Exception {
        float[][] inputs = TestModels.inputs(TestModels.CLASSIFIER);
        JsonNode labels = TestModels.expected(TestModels.CLASSIFIER).get("labels");
        JsonNode probabilities = TestModels.expected(TestModels.CLASSIFIER).get("probabilities");
        try (SharedOrtSessions.Lease lease =
                        new SharedOrtSessions().acquire(TestModels.config(TestModels.CLASSIFIER));
                OnnxTensor input = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), inputs);
                OrtSession.Result result = lease.session().run(Map.of("features", input))) {
            long[] label = (long[]) result.get("label").orElseThrow().getValue();
            float[][] probs = (float[][]) result.get("probabilities").orElseThrow().getValue();
            for (int i = 0; i < inputs.length; i++) {
                assertThat(label[i]).isEqualTo(labels.get(i).asLong());
                assertThat((double) probs[i][0]).isCloseTo(probabilities.get(i).get(0).asDouble(), within(1e-5));
                assertThat((double) probs[i][1]).isCloseTo(probabilities.get(i).get(1).asDouble(), within(1e-5));
            }
        }
    }

    private static List<Float> scoreInBatches(SharedOrtSessions.Lease lease, float[][] inputs, int batchSize)
            throws Exception {
        List<Float> scores = new ArrayList<>();
        MicroBatcher<Integer> batcher = new MicroBatcher<>(batchSize, inputs[0].length,
                new OrtBatchScorer(lease.session(), lease.signature()));
        for (int i = 0; i < inputs.length; i++) {
            if (batcher.add(i, inputs[i])) {
                batcher.flush((row, score) -> scores.add(score));
            }
        }
        batcher.flush((row, score) -> scores.add(score));
        return scores;
    }
}
