package dev.driftwatch.scoring;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of {@code scoring.models[]}: which ONNX artifact re-scores which model's inference
 * events, how its inputs are built and when its scores count as skewed. Keys are documented in
 * README.md (ONNX replay and shadow scoring); {@link #fromMap} validates them with errors that name the key.
 *
 * @param model the {@code model_name} of the inference events this artifact re-scores
 * @param path the .onnx file, read on every TaskManager that runs the operator
 * @param sha256 the artifact's expected sha256 (64 hex digits)
 * @param role {@link Role#REPLAY} (same version as production) or {@link Role#SHADOW}
 * @param shadowVersion the candidate's version label (required for SHADOW, null for REPLAY)
 * @param featureOrder input columns in order, or null to read them from the model's metadata
 * @param inputName the model input to feed, or null for the model's only input
 * @param outputName the model output that holds the score
 * @param outputColumn column of a [batch, k] output to use as the score, or null for the last one
 * @param missingPolicy what happens to an event with a missing feature
 * @param provider the execution provider asked for; CUDA falls back to CPU when it cannot start
 * @param batchSize rows per micro-batch at most
 * @param maxDelay longest time a row waits in a micro-batch
 * @param skewTolerance |replayed - logged| above this counts as skew
 * @param skewThreshold a window's skew rate above this fires the skew alert
 * @param classifier whether scores are probabilities whose 0.5 threshold is a label
 */
public record ScoringModelConfig(
        String model,
        String path,
        String sha256,
        Role role,
        String shadowVersion,
        List<String> featureOrder,
        String inputName,
        String outputName,
        Integer outputColumn,
        MissingPolicy missingPolicy,
        Provider provider,
        int batchSize,
        Duration maxDelay,
        double skewTolerance,
        double skewThreshold,
        boolean classifier)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** metadata_props key of the comma-separated feature order written into exported models. */
    public static final String FEATURE_ORDER_METADATA_KEY = "driftwatch.feature_order";

    public static final int DEFAULT_BATCH_SIZE = 256;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(20);
    public static final double DEFAULT_SKEW_TOLERANCE = 1e-4;
    public static final double DEFAULT_SKEW_THRESHOLD = 0.01;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> KEYS = Set.of(
            "model", "path", "sha256", "role", "shadow_version", "feature_order", "input_name",
            "output_name", "output_column", "missing_policy", "provider", "batch_size", "max_delay_ms",
            "skew_tolerance", "skew_threshold", "classifier");

    /** Whether the artifact is the production version itself or a candidate run beside it. */
    public enum Role {
        /** Same version as production: differences are training-serving skew. */
        REPLAY,
        /** A candidate version: a shadow deployment compared with production. */
        SHADOW
    }

    /** What to do with an event whose feature is missing (absent, null, NaN or infinite). */
    public enum MissingPolicy {
        /** Use the feature's baseline mean; an event is skipped when the mean is unknown. */
        IMPUTE_MEAN,
        /** Skip the event and count it in {@code skipped_missing_feature}. */
        SKIP
    }

    /** ONNX Runtime execution provider. */
    public enum Provider {
        CPU,
        CUDA
    }

    public ScoringModelConfig {
        requireText("model", model);
        requireText("path", path);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(
                    "scoring.models[].sha256 must be 64 lower-case hex digits (sha256sum of the .onnx file), got "
                            + sha256);
        }
        if (role == null) {
            throw new IllegalArgumentException("scoring.models[].role is required: replay or shadow");
        }
        if (role == Role.SHADOW && (shadowVersion == null || shadowVersion.isBlank())) {
            throw new IllegalArgumentException(
                    "scoring.models[].shadow_version is required when role is shadow (the candidate's version label)");
        }
        if (featureOrder != null) {
            if (featureOrder.isEmpty()) {
                throw new IllegalArgumentException(
                        "scoring.models[].feature_order is empty; list the model's input features or leave it out"
                                + " to read them from the model's " + FEATURE_ORDER_METADATA_KEY + " metadata");
            }
            if (Set.copyOf(featureOrder).size() != featureOrder.size()) {
                throw new IllegalArgumentException("scoring.models[].feature_order names a feature twice: " + featureOrder);
            }
            featureOrder = List.copyOf(featureOrder);
        }
        requireText("output_name", outputName);
        if (outputColumn != null && outputColumn < 0) {
            throw new IllegalArgumentException("scoring.models[].output_column must be >= 0, got " + outputColumn);
        }
        if (missingPolicy == null) {
            missingPolicy = MissingPolicy.IMPUTE_MEAN;
        }
        if (provider == null) {
            provider = Provider.CPU;
        }
        if (batchSize < 1 || batchSize > 65_536) {
            throw new IllegalArgumentException("scoring.models[].batch_size must be in [1, 65536], got " + batchSize);
        }
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("scoring.models[].max_delay_ms must be > 0, got " + maxDelay);
        }
        if (!(skewTolerance >= 0) || Double.isInfinite(skewTolerance)) {
            throw new IllegalArgumentException("scoring.models[].skew_tolerance must be >= 0, got " + skewTolerance);
        }
        if (!(skewThreshold >= 0 && skewThreshold <= 1)) {
            throw new IllegalArgumentException("scoring.models[].skew_threshold must be in [0, 1], got " + skewThreshold);
        }
    }

    /** A replay config with every optional key at its default. */
    public static ScoringModelConfig replay(String model, String path, String sha256, String outputName) {
        return new ScoringModelConfig(model, path, sha256, Role.REPLAY, null, null, null, outputName, null,
                MissingPolicy.IMPUTE_MEAN, Provider.CPU, DEFAULT_BATCH_SIZE, DEFAULT_MAX_DELAY,
                DEFAULT_SKEW_TOLERANCE, DEFAULT_SKEW_THRESHOLD, false);
    }

    /**
     * Reads one {@code scoring.models[]} entry as a YAML/JSON parser gives it (strings, numbers,
     * booleans, lists). Unknown keys are rejected so a misspelt key cannot silently keep a default.
     *
     * @throws IllegalArgumentException naming the key that is missing or wrong, and the fix
     */
    public static ScoringModelConfig fromMap(Map<String, Object> map) {
        if (map == null) {
            throw new IllegalArgumentException("scoring.models[] entry is empty");
        }
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("scoring.models[]." + key + " is not a known key; known keys: "
                        + KEYS.stream().sorted().toList());
            }
        }
        Role role = enumValue(map, "role", Role.class, null);
        return new ScoringModelConfig(
                string(map, "model"),
                string(map, "path"),
                string(map, "sha256") == null ? null : string(map, "sha256").toLowerCase(Locale.ROOT),
                role,
                string(map, "shadow_version"),
                stringList(map, "feature_order"),
                string(map, "input_name"),
                map.containsKey("output_name") ? string(map, "output_name") : null,
                map.containsKey("output_column") ? (int) integer(map, "output_column", 0) : null,
                enumValue(map, "missing_policy", MissingPolicy.class, MissingPolicy.IMPUTE_MEAN),
                enumValue(map, "provider", Provider.class, Provider.CPU),
                (int) integer(map, "batch_size", DEFAULT_BATCH_SIZE),
                Duration.ofMillis(integer(map, "max_delay_ms", DEFAULT_MAX_DELAY.toMillis())),
                number(map, "skew_tolerance", DEFAULT_SKEW_TOLERANCE),
                number(map, "skew_threshold", DEFAULT_SKEW_THRESHOLD),
                bool(map, "classifier", false));
    }

    /** The version label scores of this artifact carry: the shadow version, or "replay". */
    public String artifactLabel() {
        return role == Role.SHADOW ? shadowVersion : "replay";
    }

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("scoring.models[]." + key + " is required");
        }
    }

    private static String string(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s.trim();
        }
        throw new IllegalArgumentException("scoring.models[]." + key + " must be a string, got " + v);
    }

    private static List<String> stringList(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            Arrays.stream(s.split(",")).map(String::trim).filter(t -> !t.isEmpty()).forEach(out::add);
            return out;
        }
        if (v instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof String s) || s.isBlank()) {
                    throw new IllegalArgumentException(
                            "scoring.models[]." + key + " must be a list of feature names, got item " + item);
                }
                out.add(s.trim());
            }
            return out;
        }
        throw new IllegalArgumentException("scoring.models[]." + key + " must be a list of feature names, got " + v);
    }

    private static long integer(Map<String, Object> map, String key, long dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error naming the key
            }
        }
        throw new IllegalArgumentException("scoring.models[]." + key + " must be a whole number, got " + v);
    }

    private static double number(Map<String, Object> map, String key, double dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error naming the key
            }
        }
        throw new IllegalArgumentException("scoring.models[]." + key + " must be a number, got " + v);
    }

    private static boolean bool(Map<String, Object> map, String key, boolean dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("scoring.models[]." + key + " must be true or false, got " + v);
    }

    private static <E extends Enum<E>> E enumValue(Map<String, Object> map, String key, Class<E> type, E dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        String s = String.valueOf(v).trim().toUpperCase(Locale.ROOT);
        try {
            return Enum.valueOf(type, s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scoring.models[]." + key + " must be one of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                    + ", got " + v);
        }
    }
}
