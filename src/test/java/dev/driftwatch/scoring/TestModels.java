package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.avro.InferenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX models and numpy outputs written by scripts/make_test_models.py, read from the test
 * classpath (src/test/resources/models).
 */
final class TestModels {

    static final String MLP = "handbook_mlp";
    static final String LOGISTIC = "logistic_regression";
    static final String CLASSIFIER = "two_output_classifier";

    private static final JsonNode EXPECTED = readExpected();

    private TestModels() {}

    private static JsonNode readExpected() {
        try {
            return new ObjectMapper().readTree(dir().resolve("expected_outputs.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dir() {
        try {
            return Path.of(TestModels.class.getResource("/models/expected_outputs.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected(String model) {
        return EXPECTED.get(model);
    }

    static Path path(String model) {
        return dir().resolve(expected(model).get("file").asText());
    }

    static String sha256(String model) {
        return expected(model).get("sha256").asText();
    }

    /** A replay config of the model with defaults, feature order from the model's metadata. */
    static ScoringModelConfig config(String model) {
        return ScoringModelConfig.replay(model, path(model).toString(), sha256(model),
                expected(model).get("output").asText());
    }

    static Map<String, Object> configMap(String model) {
        Map<String, Object> map = new HashMap<>();
        map.put("model", model);
        map.put("path", path(model).toString());
        map.put("sha256", sha256(model));
        map.put("role", "replay");
        map.put("output-name", expected(model).get("output").asText());
        return map;
    }

    static List<String> featureOrder(String model) {
        List<String> out = new ArrayList<>();
        expected(model).get("feature_order").forEach(n -> out.add(n.asText()));
        return out;
    }

    static float[][] inputs(String model) {
        JsonNode rows = expected(model).get("inputs");
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            out[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                out[i][j] = (float) row.get(j).asDouble();
            }
        }
        return out;
    }

    static double[] doubles(String model, String field) {
        JsonNode values = expected(model).get(field);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asDouble();
        }
        return out;
    }

    /** Numpy's outputs of the model for {@link #inputs}. */
    static double[] outputs(String model) {
        return doubles(model, "outputs");
    }

    /** Row i of the model's inputs as an inference event whose logged prediction is {@code logged}. */
    static InferenceEvent event(String model, int i, Double logged, long eventTime) {
        float[] row = inputs(model)[i];
        List<String> names = featureOrder(model);
        Map<String, Object> features = new HashMap<>();
        for (int j = 0; j < row.length; j++) {
            features.put(names.get(j), (double) row[j]);
        }
        return InferenceEvent.newBuilder()
                .setEventId(model + "-" + i)
                .setModelName(model)
                .setModelVersion("v1")
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setFeatures(features)
                .setPrediction(logged)
                .build();
    }
}
