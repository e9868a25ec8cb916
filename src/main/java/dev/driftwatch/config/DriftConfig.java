package dev.driftwatch.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.driftwatch.profile.DriftThresholds;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job's whole configuration, read from one YAML file and validated at start: unknown keys and bad values
 * fail with a message naming the key. README's configuration reference documents every key.
 */
public record DriftConfig(
        Kafka kafka,
        Window window,
        Sampling sampling,
        Tests tests,
        Alerting alerting,
        Baselines baselines,
        Checkpointing checkpointing,
        Map<String, Object> airflow,
        java.util.List<Map<String, Object>> scoringModels) implements Serializable {

    /** Input encodings of the events topic. */
    public enum EventFormat { AVRO_SINGLE_OBJECT, AVRO_BINARY }

    /** Where a fresh job starts reading (a restore always resumes from its checkpoint). */
    public enum StartingOffsets { COMMITTED, EARLIEST, LATEST }

    /** Multiple-testing correction across a model's features in one window. */
    public enum Correction { BONFERRONI, BH }

    public record Kafka(String bootstrapServers, String groupId, String eventsTopic, String alertsTopic,
                        String resultsTopic, String deadLetterTopic, EventFormat format,
                        StartingOffsets startingOffsets, Duration transactionTimeout,
                        Map<String, String> properties) implements Serializable {}

    /**
     * Sliding windows. {@code maxDrift} (null: off) is Flink's watermark alignment of the source readers: a reader
     * more than that far ahead of the slowest one in event time pauses, checked every {@code driftUpdateInterval}.
     */
    public record Window(Duration size, Duration slide, Duration outOfOrderness, Duration idleness,
                         int minEvents, Duration maxDrift, Duration driftUpdateInterval) implements Serializable {
        public int panesPerWindow() {
            return (int) (size.toMillis() / slide.toMillis());
        }
    }

    public record Sampling(int reservoirSize, int maxFeatures) implements Serializable {}

    public record Tests(DriftThresholds defaults, Correction correction,
                        Map<String, DriftThresholds> perFeature) implements Serializable {
        public DriftThresholds forFeature(String feature) {
            return perFeature.getOrDefault(feature, defaults);
        }
    }

    public record Alerting(int consecutive, double driftShare, Duration stateTtl) implements Serializable {}

    /** Where baselines come from: {@code topic} (a compacted baseline topic) when set, else {@code directory}. */
    public record Baselines(String directory, String topic, boolean fallbackToNewest, Duration loadTimeout)
            implements Serializable {
        public Baselines(String directory, boolean fallbackToNewest) {
            this(directory, null, fallbackToNewest, Duration.ofSeconds(60));
        }
    }

    public record Checkpointing(Duration interval, Duration timeout) implements Serializable {}

    /** Reads and validates a YAML file. */
    public static DriftConfig load(Path file) {
        Map<String, Object> root;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Map.class);
            root = parsed == null ? Map.of() : parsed;
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + file + ": " + firstLine(e.getMessage()));
        }
        return fromMap(root);
    }

    /** Parses the YAML text of a config. */
    public static DriftConfig parse(String yaml) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
            return fromMap(parsed == null ? Map.of() : parsed);
        } catch (IOException e) {
            throw new ConfigException("cannot parse config: " + firstLine(e.getMessage()));
        }
    }

    public static DriftConfig fromMap(Map<String, Object> rootMap) {
        ConfigSection root = new ConfigSection("", rootMap);

        ConfigSection k = root.section("kafka");
        Kafka kafka = new Kafka(
                k.string("bootstrap-servers", "localhost:9092"),
                k.string("group-id", "driftwatch"),
                k.string("events-topic", "inference-events"),
                k.string("alerts-topic", "drift-alerts"),
                emptyToNull(k.string("results-topic", null)),
                k.string("dead-letter-topic", "driftwatch-dead-letters"),
                k.choice("format", EventFormat.class, EventFormat.AVRO_SINGLE_OBJECT),
                k.choice("starting-offsets", StartingOffsets.class, StartingOffsets.COMMITTED),
                k.duration("transaction-timeout", Duration.ofMinutes(10)),
                k.stringMap("properties"));
        k.rejectUnknownKeys();
        if (kafka.transactionTimeout().compareTo(Duration.ofMinutes(15)) > 0) {
            // a stock broker's transaction.max.timeout.ms is 15 min; above it InitProducerId fails
            System.getLogger(DriftConfig.class.getName()).log(System.Logger.Level.WARNING,
                    "kafka.transaction-timeout is above 15m: the broker's transaction.max.timeout.ms must be raised to match");
        }

        ConfigSection w = root.section("window");
        Window window = new Window(
                positive(w, "size", w.duration("size", Duration.ofMinutes(10))),
                positive(w, "slide", w.duration("slide", Duration.ofMinutes(1))),
                w.duration("out-of-orderness", Duration.ofSeconds(30)),
                w.duration("idleness", Duration.ofSeconds(60)),
                w.integer("min-events", 50, 1, Integer.MAX_VALUE),
                w.has("max-drift") ? positive(w, "max-drift", w.duration("max-drift", null)) : null,
                positive(w, "drift-update-interval", w.duration("drift-update-interval", Duration.ofSeconds(1))));
        w.rejectUnknownKeys();
        if (window.size().toMillis() % window.slide().toMillis() != 0) {
            throw new ConfigException("window.size: must be a whole multiple of window.slide (" + window.slide()
                    + "), got " + window.size());
        }

        ConfigSection s = root.section("sampling");
        Sampling sampling = new Sampling(
                s.integer("reservoir-size", 1000, 10, 1_000_000),
                s.integer("max-features", 1000, 1, 1_000_000));
        s.rejectUnknownKeys();

        ConfigSection t = root.section("tests");
        DriftThresholds defaults = thresholds(t, DriftThresholds.DEFAULTS);
        Correction correction = t.choice("correction", Correction.class, Correction.BONFERRONI);
        Map<String, DriftThresholds> perFeature = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigSection> e : t.sectionsByName("features").entrySet()) {
            perFeature.put(e.getKey(), thresholds(e.getValue(), defaults));
            e.getValue().rejectUnknownKeys();
        }
        t.rejectUnknownKeys();
        Tests tests = new Tests(defaults, correction, Map.copyOf(perFeature));

        ConfigSection a = root.section("alerting");
        Alerting alerting = new Alerting(
                a.integer("consecutive", 2, 1, 1000),
                a.number("drift-share", 0.5, 0, 1),
                a.duration("state-ttl", Duration.ofDays(7)));
        a.rejectUnknownKeys();

        ConfigSection b = root.section("baselines");
        Baselines baselines = new Baselines(
                b.string("directory", "baselines"),
                emptyToNull(b.string("topic", null)),
                b.bool("fallback-to-newest", true),
                positive(b, "load-timeout", b.duration("load-timeout", Duration.ofSeconds(60))));
        b.rejectUnknownKeys();
        if (baselines.topic() != null && b.has("directory")) {
            throw new ConfigException("baselines.directory: set either baselines.directory or baselines.topic, not both");
        }

        ConfigSection c = root.section("checkpointing");
        Checkpointing checkpointing = new Checkpointing(
                positive(c, "interval", c.duration("interval", Duration.ofSeconds(10))),
                positive(c, "timeout", c.duration("timeout", Duration.ofMinutes(5))));
        c.rejectUnknownKeys();

        Map<String, Object> airflow = root.has("airflow") ? rawSection(rootMap, "airflow") : null;
        java.util.List<Map<String, Object>> scoring = root.section("scoring").list("models");
        ConfigSection sc = root.section("scoring");
        sc.list("models");
        sc.rejectUnknownKeys();
        root.rejectUnknownKeys();
        return new DriftConfig(kafka, window, sampling, tests, alerting, baselines, checkpointing, airflow, scoring);
    }

    private static DriftThresholds thresholds(ConfigSection s, DriftThresholds def) {
        try {
            return new DriftThresholds(
                    s.number("alpha", def.alpha(), 0, 1),
                    s.number("psi", def.psi(), 0, Double.MAX_VALUE),
                    s.number("kl", def.kl(), 0, Double.MAX_VALUE),
                    s.number("missing-rate", def.missingRate(), 0, 1));
        } catch (IllegalArgumentException e) {
            if (e instanceof ConfigException) {
                throw e;
            }
            throw new ConfigException(s.key("alpha") + ": " + e.getMessage());
        }
    }

    private static Duration positive(ConfigSection s, String name, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(s.key(name) + ": must be positive, got " + d);
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rawSection(Map<String, Object> root, String name) {
        Object v = root.get(name);
        if (!(v instanceof Map<?, ?>)) {
            throw new ConfigException(name + ": expected a section, got '" + v + "'");
        }
        return new LinkedHashMap<>((Map<String, Object>) v);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
