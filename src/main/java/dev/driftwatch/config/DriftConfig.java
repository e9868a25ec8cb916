package dev.driftwatch.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.driftwatch.profile.DriftThresholds;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The job's whole configuration: one YAML file bound by {@link ConfigBinder} into these records and validated at
 * load, so that an unknown key or a bad value fails at once with a message naming the key. Every key has the name
 * of its record component in kebab case and is documented in docs/configuration.md (a test holds the two equal).
 */
public record DriftConfig(
        Kafka kafka,
        Window window,
        Sampling sampling,
        Tests tests,
        Alerting alerting,
        Baselines baselines,
        Checkpointing checkpointing,
        @OptionalSection AirflowTriggerConfig airflow,
        Scoring scoring) implements Serializable {

    /**
     * Input encodings of the events topic: Avro single-object encoding (writer schema by fingerprint among the shipped
     * versions), plain Avro binary of the current schema, or the Schema Registry wire format (magic byte 0, a 4-byte
     * schema id, the Avro body; writer schema from the registry by id).
     */
    public enum EventFormat { AVRO_SINGLE_OBJECT, AVRO_BINARY, SCHEMA_REGISTRY }

    /**
     * Encodings of an output topic (alerts, results): Avro single-object encoding, one JSON object per record (what
     * {@code driftwatch alerts tail --json} prints), or the Schema Registry wire format (schema id registered under
     * the subject {@code <topic>-value}).
     */
    public enum OutputFormat { AVRO_SINGLE_OBJECT, JSON, SCHEMA_REGISTRY }

    /** Where a fresh job starts reading (a restore always resumes from its checkpoint). */
    public enum StartingOffsets { COMMITTED, EARLIEST, LATEST }

    /** Multiple-testing correction across a model's features in one window. */
    public enum Correction { BONFERRONI, BH }

    public record Kafka(
            @Default("localhost:9092") String bootstrapServers,
            @Default("driftwatch") String groupId,
            @Default("inference-events") String eventsTopic,
            @Default("drift-alerts") String alertsTopic,
            String resultsTopic,
            @Default("driftwatch-dead-letters") String deadLetterTopic,
            @Default("avro-single-object") EventFormat format,
            @Default("avro-single-object") OutputFormat alertsFormat,
            @Default("avro-single-object") OutputFormat resultsFormat,
            @OptionalSection SchemaRegistryConfig schemaRegistry,
            Duration deadLetterRetention,
            @Default("committed") StartingOffsets startingOffsets,
            @Default("10m") Duration transactionTimeout,
            Map<String, String> properties) implements Serializable {
        public Kafka {
            Checks.nonBlank("bootstrap-servers", bootstrapServers);
            Checks.positive("transaction-timeout", transactionTimeout);
            if (deadLetterRetention != null) {
                Checks.positive("dead-letter-retention", deadLetterRetention);
            }
            if (schemaRegistry == null) {
                String user = format == EventFormat.SCHEMA_REGISTRY ? "format"
                        : alertsFormat == OutputFormat.SCHEMA_REGISTRY ? "alerts-format"
                        : resultsFormat == OutputFormat.SCHEMA_REGISTRY ? "results-format" : null;
                if (user != null) {
                    throw ConfigException.at("schema-registry.url", "required, not set (kafka." + user
                            + " is schema-registry)");
                }
            }
            properties = properties == null ? Map.of() : Map.copyOf(properties);
        }
    }

    /**
     * Sliding windows. {@code maxDrift} (null: off) is Flink's watermark alignment of the source readers: a reader
     * more than that far ahead of the slowest one in event time pauses, checked every {@code driftUpdateInterval}.
     */
    public record Window(
            @Default("10m") Duration size,
            @Default("1m") Duration slide,
            @Default("30s") Duration outOfOrderness,
            @Default("60s") Duration idleness,
            @Default("50") int minEvents,
            Duration maxDrift,
            @Default("1s") Duration driftUpdateInterval) implements Serializable {
        public Window {
            Checks.positive("size", size);
            Checks.positive("slide", slide);
            Checks.atLeast("min-events", minEvents, 1);
            if (maxDrift != null) {
                Checks.positive("max-drift", maxDrift);
            }
            Checks.positive("drift-update-interval", driftUpdateInterval);
            if (size.toMillis() % slide.toMillis() != 0) {
                throw ConfigException.at("size", "must be a whole multiple of window.slide (" + Durations.format(slide)
                        + "), got " + Durations.format(size));
            }
        }

        public int panesPerWindow() {
            return (int) (size.toMillis() / slide.toMillis());
        }
    }

    public record Sampling(@Default("1000") int reservoirSize, @Default("1000") int maxFeatures) implements Serializable {
        public Sampling {
            Checks.between("reservoir-size", reservoirSize, 10, 1_000_000);
            Checks.between("max-features", maxFeatures, 1, 1_000_000);
        }
    }

    /**
     * The thresholds every feature is judged by, the correction across a model's features, and per-feature
     * overrides ({@code tests.features.<name>}), whose keys left out take the section's values.
     */
    public record Tests(
            @Default("0.01") double alpha,
            @Default("0.25") double psi,
            @Default("0.1") double kl,
            @Default("0.05") double missingRate,
            @Default("bonferroni") Correction correction,
            Map<String, FeatureTests> features) implements Serializable {
        public Tests {
            features = features == null ? Map.of() : Map.copyOf(features);
            thresholds(alpha, psi, kl, missingRate, null);
            for (Map.Entry<String, FeatureTests> f : features.entrySet()) {
                try {
                    thresholds(alpha, psi, kl, missingRate, f.getValue());
                } catch (ConfigException e) {
                    throw ConfigException.at("features." + f.getKey() + "." + e.relativeKey(), e.problem());
                }
            }
        }

        /** The section's thresholds (features without an override). */
        public DriftThresholds defaults() {
            return thresholds(alpha, psi, kl, missingRate, null);
        }

        public DriftThresholds forFeature(String feature) {
            return thresholds(alpha, psi, kl, missingRate, features.get(feature));
        }

        private static DriftThresholds thresholds(double alpha, double psi, double kl, double missingRate, FeatureTests f) {
            double a = f == null || f.alpha() == null ? alpha : f.alpha();
            double p = f == null || f.psi() == null ? psi : f.psi();
            double k = f == null || f.kl() == null ? kl : f.kl();
            double m = f == null || f.missingRate() == null ? missingRate : f.missingRate();
            if (!(a > 0 && a < 1)) {
                throw ConfigException.at("alpha", "must be in (0, 1), got " + a);
            }
            Checks.inRange("psi", p, 0, Double.MAX_VALUE);
            Checks.inRange("kl", k, 0, Double.MAX_VALUE);
            Checks.inRange("missing-rate", m, 0, 1);
            return new DriftThresholds(a, p, k, m);
        }
    }

    /** One feature's overrides in {@code tests.features}; a key left out takes the {@code tests} section's value. */
    public record FeatureTests(Double alpha, Double psi, Double kl, Double missingRate) implements Serializable {}

    public record Alerting(
            @Default("2") int consecutive,
            @Default("0.5") double driftShare,
            @Default("7d") Duration stateTtl) implements Serializable {
        public Alerting {
            Checks.between("consecutive", consecutive, 1, 1000);
            Checks.inRange("drift-share", driftShare, 0, 1);
            Checks.positive("state-ttl", stateTtl);
        }
    }

    /** Where baselines come from: {@code topic} (a compacted baseline topic) when set, else {@code directory}. */
    public record Baselines(
            String directory,
            String topic,
            @Default("true") boolean fallbackToNewest,
            @Default("60s") Duration loadTimeout) implements Serializable {
        public Baselines {
            if (topic != null && directory != null) {
                throw ConfigException.at("directory", "set either baselines.directory or baselines.topic, not both");
            }
            if (topic == null && directory == null) {
                directory = "baselines";
            }
            Checks.positive("load-timeout", loadTimeout);
        }

        public Baselines(String directory, boolean fallbackToNewest) {
            this(directory, null, fallbackToNewest, Duration.ofSeconds(60));
        }
    }

    public record Checkpointing(@Default("10s") Duration interval, @Default("5m") Duration timeout) implements Serializable {
        public Checkpointing {
            Checks.positive("interval", interval);
            Checks.positive("timeout", timeout);
        }
    }

    /** ONNX replay and shadow scoring: the artifacts that re-score events ({@code scoring.models[]}). */
    public record Scoring(List<ScoringModelConfig> models) implements Serializable {
        public Scoring {
            models = models == null ? List.of() : List.copyOf(models);
        }
    }

    /** The configured scoring artifacts (none when the {@code scoring} section is left out). */
    public List<ScoringModelConfig> scoringModels() {
        return scoring.models();
    }

    /** A copy with other scoring artifacts (replay adds its own). */
    public DriftConfig withScoring(List<ScoringModelConfig> models) {
        return new DriftConfig(kafka, window, sampling, tests, alerting, baselines, checkpointing, airflow,
                new Scoring(models));
    }

    /** Reads and validates a YAML file; warnings (older key names) are logged. */
    public static DriftConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("cannot read config " + file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + file + ": " + e.getMessage());
        }
    }

    /** Parses the YAML text of a config; an empty text is a config with every key at its default. */
    public static DriftConfig parse(String yaml) {
        ConfigBinder.Bound<DriftConfig> bound = bind(yaml);
        for (String w : bound.warnings()) {
            System.getLogger(DriftConfig.class.getName()).log(System.Logger.Level.WARNING, w);
        }
        return bound.value();
    }

    /** The bound config with the warnings binding gave, for callers that show them (the CLI). */
    public static ConfigBinder.Bound<DriftConfig> bind(String yaml) {
        Object parsed;
        try {
            // an empty file (or one of comments only) is a config with every key at its default
            ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
            com.fasterxml.jackson.databind.JsonNode tree = mapper.readTree(yaml);
            parsed = tree == null || tree.isMissingNode() || tree.isNull() ? null : mapper.treeToValue(tree, Object.class);
        } catch (IOException e) {
            throw new ConfigException("cannot parse config: " + firstLine(e.getMessage()));
        }
        if (parsed != null && !(parsed instanceof Map<?, ?>)) {
            throw new ConfigException("config: expected sections (kafka:, window:, ...), got '" + parsed + "'");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> root = (Map<String, ?>) parsed;
        ConfigBinder.Bound<DriftConfig> bound = ConfigBinder.bind(DriftConfig.class, root);
        if (bound.value().kafka().transactionTimeout().compareTo(Duration.ofMinutes(15)) > 0) {
            // a stock broker's transaction.max.timeout.ms is 15 min; above it InitProducerId fails
            List<String> warnings = new java.util.ArrayList<>(bound.warnings());
            warnings.add("kafka.transaction-timeout is above 15m: the broker's transaction.max.timeout.ms must be raised to match");
            return new ConfigBinder.Bound<>(bound.value(), List.copyOf(warnings));
        }
        return bound;
    }

    /** Parses a config from a map (as YAML gives it). */
    public static DriftConfig fromMap(Map<String, ?> root) {
        return ConfigBinder.bind(DriftConfig.class, root).value();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
