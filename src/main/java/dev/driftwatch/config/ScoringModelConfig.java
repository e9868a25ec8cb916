package dev.driftwatch.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of {@code scoring.models[]}: which ONNX artifact re-scores which model's inference
 * events, how its inputs are built and when its scores count as skewed. Keys are documented in
 * docs/configuration.md; the config binder reads them ({@link #fromMap} for one entry) and this record's checks
 * name the key that is wrong.
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
        @Required String model,
        @Required String path,
        @Required String sha256,
        @Required Role role,
        @Alias("shadow_version") String shadowVersion,
        @Alias("feature_order") List<String> featureOrder,
        @Alias("input_name") String inputName,
        @Required @Alias("output_name") String outputName,
        @Alias("output_column") Integer outputColumn,
        @Default("impute-mean") @Alias("missing_policy") MissingPolicy missingPolicy,
        @Default("cpu") Provider provider,
        @Default("256") @Alias("batch_size") int batchSize,
        @Default("20ms") @Alias("max_delay_ms") Duration maxDelay,
        @Default("0.0001") @Alias("skew_tolerance") double skewTolerance,
        @Default("0.01") @Alias("skew_threshold") double skewThreshold,
        @Default("false") boolean classifier)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** metadata_props key of the comma-separated feature order written into exported models. */
    public static final String FEATURE_ORDER_METADATA_KEY = "driftwatch.feature_order";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

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
        Checks.nonBlank("model", model);
        Checks.nonBlank("path", path);
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw ConfigException.at("sha256", "must be 64 hex digits (sha256sum of the .onnx file), got " + sha256);
        }
        if (role == null) {
            throw ConfigException.at("role", "required: replay or shadow");
        }
        if (role == Role.SHADOW && (shadowVersion == null || shadowVersion.isBlank())) {
            throw ConfigException.at("shadow-version", "required when role is shadow (the candidate's version label)");
        }
        if (featureOrder != null) {
            if (featureOrder.isEmpty()) {
                throw ConfigException.at("feature-order", "is empty; list the model's input features or leave it out"
                        + " to read them from the model's " + FEATURE_ORDER_METADATA_KEY + " metadata");
            }
            if (Set.copyOf(featureOrder).size() != featureOrder.size()) {
                throw ConfigException.at("feature-order", "names a feature twice: " + featureOrder);
            }
            featureOrder = List.copyOf(featureOrder);
        }
        Checks.nonBlank("output-name", outputName);
        if (outputColumn != null && outputColumn < 0) {
            throw ConfigException.at("output-column", "must be >= 0, got " + outputColumn);
        }
        if (missingPolicy == null) {
            missingPolicy = MissingPolicy.IMPUTE_MEAN;
        }
        if (provider == null) {
            provider = Provider.CPU;
        }
        Checks.between("batch-size", batchSize, 1, 65_536);
        Checks.positive("max-delay", maxDelay);
        if (!(skewTolerance >= 0) || Double.isInfinite(skewTolerance)) {
            throw ConfigException.at("skew-tolerance", "must be >= 0, got " + skewTolerance);
        }
        if (!(skewThreshold >= 0 && skewThreshold <= 1)) {
            throw ConfigException.at("skew-threshold", "must be in [0, 1], got " + skewThreshold);
        }
    }

    /** A replay config with every optional key at its default. */
    public static ScoringModelConfig replay(String model, String path, String sha256, String outputName) {
        return fromMap(Map.of("model", model, "path", path, "sha256", sha256, "role", "replay", "output-name", outputName));
    }

    /**
     * Reads one {@code scoring.models[]} entry as YAML gives it. Unknown keys are rejected so a misspelt key cannot
     * silently keep a default; the snake_case keys of earlier versions are read with a warning.
     *
     * @throws ConfigException naming the key that is missing or wrong, and the fix
     */
    public static ScoringModelConfig fromMap(Map<String, ?> map) {
        return ConfigBinder.bind("scoring.models[]", ScoringModelConfig.class, map).value();
    }

    /** The version label scores of this artifact carry: the shadow version, or "replay". */
    public String artifactLabel() {
        return role == Role.SHADOW ? shadowVersion : "replay";
    }
}
