package dev.driftwatch.bench;

import dev.driftwatch.DriftJob;
import dev.driftwatch.alert.AlertPolicy;
import dev.driftwatch.alert.WindowVerdict;
import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.LocalKafkaBroker;
import dev.driftwatch.local.TrainingBaselines;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * `driftwatch bench --quality`: detection quality on synthetic streams whose truth is known, through the real job
 * (bounded, from a topic). One model per scenario in one topic: a stable stream of at least 1000 windows (false
 * alerts against the rate the configuration promises), mean shifts of 0.1, 0.2, 0.5 and 1.5 standard deviations
 * on 2 of 10 features, a variance change and a categorical frequency change (detection rate per window and
 * detection delay in event time).
 */
public final class DetectionQualityBench {
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final int FEATURES = 10;
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final Duration SLIDE = Duration.ofMinutes(1);
    /** One event per model every 300 ms of event time: 2000 events per 10-minute window, so k = 1000 is filled. */
    static final long GAP_MS = 300;
    static final int STABLE_MINUTES = 1030;
    static final int WARM_UP_MINUTES = 60;
    static final int DRIFT_MINUTES = 120;
    static final Set<String> SHIFTED = Set.of("f3", "f7");
    static final double[] CHANNEL_BEFORE = {0.4, 0.3, 0.2, 0.1};
    static final double[] CHANNEL_AFTER = {0.3, 0.3, 0.2, 0.2};
    static final double ALPHA = 0.01;

    /** A synthetic stream with a known change: mean shift or scale of f3 and f7, or new channel frequencies. */
    record Scenario(String model, String change, double meanShift, double scale, boolean categorical, int minutes) {
        long driftFrom() {
            return T0 + Duration.ofMinutes(WARM_UP_MINUTES).toMillis();
        }

        boolean drifts() {
            return meanShift != 0 || scale != 1 || categorical;
        }

        Set<String> truth() {
            return categorical ? Set.of("channel") : SHIFTED;
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("stable", "none", 0, 1, false, STABLE_MINUTES),
            new Scenario("mean-0.1", "mean +0.1 sd on f3, f7", 0.1, 1, false, WARM_UP_MINUTES + DRIFT_MINUTES),
            new Scenario("mean-0.2", "mean +0.2 sd on f3, f7", 0.2, 1, false, WARM_UP_MINUTES + DRIFT_MINUTES),
            new Scenario("mean-0.5", "mean +0.5 sd on f3, f7", 0.5, 1, false, WARM_UP_MINUTES + DRIFT_MINUTES),
            new Scenario("mean-1.5", "mean +1.5 sd on f3, f7", 1.5, 1, false, WARM_UP_MINUTES + DRIFT_MINUTES),
            new Scenario("variance", "sd x1.5 on f3, f7", 0, 1.5, false, WARM_UP_MINUTES + DRIFT_MINUTES),
            new Scenario("categorical", "channel 0.4/0.3/0.2/0.1 -> 0.3/0.3/0.2/0.2", 0, 1, true, WARM_UP_MINUTES + DRIFT_MINUTES));

    private final Path workDir;
    private final PrintStream out;

    public DetectionQualityBench(Path workDir, PrintStream out) {
        this.workDir = workDir;
        this.out = out;
    }

    public List<String> run() throws Exception {
        Path work = workDir.toAbsolutePath();
        BenchFiles.wipe(work);
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"))) {
            BenchTraffic.createTopics(broker.bootstrapServers(), Map.of("quality-events", 2, "quality-alerts", 1, "quality-results", 1, "quality-dead-letters", 1));
            Path numeric = work.resolve("training.csv");
            Path categorical = work.resolve("training-categorical.csv");
            writeTraining(numeric, false);
            writeTraining(categorical, true);
            Path baselines = work.resolve("baselines");
            for (Scenario s : SCENARIOS) {
                TrainingBaselines.build(s.categorical() ? categorical : numeric, s.model(), "v1", "score", baselines);
            }
            long n = produce(broker.bootstrapServers());
            out.printf(Locale.ROOT, "quality: %,d events over %d scenarios; windows of %s sliding by %s, one event per model every %d ms%n",
                    n, SCENARIOS.size(), WINDOW.toMinutes() + "m", SLIDE.toMinutes() + "m", GAP_MS);
            DriftConfig config = config(broker.bootstrapServers(), baselines);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            ThroughputBench.failFast(env, work.resolve("checkpoints"));
            DriftJob.configureEnvironment(env, config);
            KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                    .setBootstrapServers(broker.bootstrapServers())
                    .setTopics("quality-events")
                    .setGroupId("quality")
                    .setStartingOffsets(OffsetsInitializer.earliest())
                    .setBounded(OffsetsInitializer.latest())
                    .setDeserializer(new EventDeserializer(true))
                    .build();
            DriftJob.defineWorkflow(env, config, source, DriftJob.kafkaSinks(config));
            long start = System.nanoTime();
            env.execute("driftwatch-quality");
            out.printf(Locale.ROOT, "job done in %.1f s%n", (System.nanoTime() - start) / 1e9);
            List<FeatureDriftResult> results = new ArrayList<>();
            for (byte[] v : readAll(broker.bootstrapServers(), "quality-results")) {
                results.add(FeatureDriftResult.fromByteBuffer(ByteBuffer.wrap(v)));
            }
            List<DriftAlert> alerts = new ArrayList<>();
            for (byte[] v : readAll(broker.bootstrapServers(), "quality-alerts")) {
                alerts.add(DriftAlert.fromByteBuffer(ByteBuffer.wrap(v)));
            }
            List<String> lines = report(results, alerts);
            lines.add("");
            lines.addAll(scipyPower());
            return lines;
        }
    }

    /** The same changes' offline power from scipy (src/test/python/ks_power.py), when python3 and scipy are here. */
    private List<String> scipyPower() throws IOException, InterruptedException {
        Path script = Path.of("src/test/python/ks_power.py");
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isRegularFile(script) || !Files.isExecutable(python)) {
            return List.of("(scipy power: run `/usr/bin/python3 src/test/python/ks_power.py` from the repository root)");
        }
        out.println("running " + script + " (scipy offline power, about a minute) ...");
        Process p = new ProcessBuilder(python.toString(), script.toString()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        if (p.waitFor() != 0) {
            lines.add("(ks_power.py exited with " + p.exitValue() + "; is python3-scipy installed?)");
        }
        return lines;
    }

    private DriftConfig config(String bootstrap, Path baselines) {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", bootstrap);
        kafka.put("events-topic", "quality-events");
        kafka.put("alerts-topic", "quality-alerts");
        kafka.put("results-topic", "quality-results");
        kafka.put("dead-letter-topic", "quality-dead-letters");
        kafka.put("group-id", "quality");
        return DriftConfig.fromMap(Map.of(
                "kafka", kafka,
                "window", Map.of("size", WINDOW.toMinutes() + "m", "slide", SLIDE.toMinutes() + "m",
                        "out-of-orderness", "5s", "idleness", "10s"),
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "2s")));
    }

    /** Feature values of row i of a stream (seeded per scenario), before any change. */
    static double[] row(long seed, long i) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        double[] x = new double[FEATURES + 1];
        for (int j = 0; j < FEATURES; j++) {
            x[j] = BenchTraffic.gaussian(r);
        }
        x[FEATURES] = r.nextDouble();
        return x;
    }

    static String channel(double u, double[] frequencies) {
        double acc = 0;
        for (int c = 0; c < frequencies.length; c++) {
            acc += frequencies[c];
            if (u < acc) {
                return "c" + c;
            }
        }
        return "c" + (frequencies.length - 1);
    }

    static double score(double[] x) {
        double z = -0.2;
        for (int j = 0; j < FEATURES; j++) {
            z += (j == 3 || j == 7 ? 0.05 : 0.4) * x[j];
        }
        return 1 / (1 + Math.exp(-z));
    }

    private static void writeTraining(Path file, boolean withChannel) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int j = 0; j < FEATURES; j++) {
                w.write("f" + j + ",");
            }
            w.write(withChannel ? "channel,score\n" : "score\n");
            for (int i = 0; i < 5000; i++) {
                double[] x = row(99, i);
                for (int j = 0; j < FEATURES; j++) {
                    w.write(x[j] + ",");
                }
                if (withChannel) {
                    w.write(channel(x[FEATURES], CHANNEL_BEFORE) + ",");
                }
                w.write(score(x) + "\n");
            }
        }
    }

    static InferenceEvent event(Scenario s, int scenarioIndex, long i, long t) {
        double[] x = row(1000 + scenarioIndex, i);
        boolean drifted = s.drifts() && t >= s.driftFrom();
        Map<String, Object> features = new HashMap<>();
        for (int j = 0; j < FEATURES; j++) {
            double v = x[j];
            if (drifted && SHIFTED.contains("f" + j)) {
                v = v * s.scale() + s.meanShift();
            }
            features.put("f" + j, v);
        }
        if (s.categorical()) {
            features.put("channel", channel(x[FEATURES], drifted ? CHANNEL_AFTER : CHANNEL_BEFORE));
        }
        return InferenceEvent.newBuilder()
                .setEventId(s.model() + "-" + i)
                .setModelName(s.model())
                .setModelVersion("v1")
                .setEventTime(Instant.ofEpochMilli(t))
                .setFeatures(features)
                .setPrediction(score(x))
                .build();
    }

    private static long produce(String bootstrap) {
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = BenchTraffic.producer(bootstrap)) {
            long end = T0 + Duration.ofMinutes(STABLE_MINUTES).toMillis();
            long i = 0;
            for (long t = T0; t < end; t += GAP_MS, i++) {
                for (int k = 0; k < SCENARIOS.size(); k++) {
                    Scenario s = SCENARIOS.get(k);
                    if (t < T0 + Duration.ofMinutes(s.minutes()).toMillis()) {
                        producer.send(new ProducerRecord<>("quality-events", (int) (sent & 1), t, null,
                                AvroBytes.singleObject(event(s, k, i, t))));
                        sent++;
                    }
                }
            }
            producer.flush();
        }
        return sent;
    }

    private static List<byte[]> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    /** Per scenario: windows judged, flagged per test, detection rates and delays, FIRING alerts. */
    List<String> report(List<FeatureDriftResult> results, List<DriftAlert> alerts) {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 2, 0.5);
        Map<String, TreeMap<Long, List<FeatureDriftResult>>> byModel = new HashMap<>();
        for (FeatureDriftResult r : results) {
            byModel.computeIfAbsent(r.getModel(), k -> new TreeMap<>())
                    .computeIfAbsent(r.getWindowEnd().toEpochMilli(), k -> new ArrayList<>()).add(r);
        }
        List<String> lines = new ArrayList<>();
        Scenario stable = SCENARIOS.get(0);
        TreeMap<Long, List<FeatureDriftResult>> stableWindows = byModel.getOrDefault(stable.model(), new TreeMap<>());
        int windows = stableWindows.size();
        int anyDrift = 0;
        Map<String, Integer> byTest = new TreeMap<>();
        int columns = 0;
        for (List<FeatureDriftResult> w : stableWindows.values()) {
            WindowVerdict v = policy.judge(w);
            columns = Math.max(columns, w.size());
            if (v.drifted()) {
                anyDrift++;
            }
            Set<String> testsFired = new java.util.TreeSet<>();
            for (AlertFeature f : v.features()) {
                for (TestResult t : f.getTests()) {
                    if (t.getDrifted()) {
                        testsFired.add(t.getTest());
                    }
                }
            }
            testsFired.forEach(t -> byTest.merge(t, 1, Integer::sum));
        }
        long stableFiring = alerts.stream().filter(a -> a.getModel().equals(stable.model())
                && a.getStatus() == AlertStatus.FIRING).count();
        double nominalWindowRate = ALPHA;
        double nominalFiring = windows * nominalWindowRate / 2;
        lines.add("Detection quality: false alarms on a stable stream (10 features ~ N(0,1) and a prediction, "
                + columns + " tested columns, 2000 events per window, k = 1000, reference sample 2000)");
        lines.add("");
        lines.add("| windows | windows with a drifted column | per-window rate | KS | PSI | KL | MISSING_RATE | nominal per-window rate (alpha after Bonferroni, KS part) | FIRING alerts | nominal FIRING bound (windows x alpha / 2, hysteresis 2) |");
        lines.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        lines.add(String.format(Locale.ROOT, "| %d | %d | %.4f | %d | %d | %d | %d | <= %.4f | %d | <= %.1f |",
                windows, anyDrift, windows == 0 ? 0 : (double) anyDrift / windows, byTest.getOrDefault("KS", 0),
                byTest.getOrDefault("PSI", 0), byTest.getOrDefault("KL", 0), byTest.getOrDefault("MISSING_RATE", 0),
                nominalWindowRate, stableFiring, nominalFiring));
        lines.add("");
        lines.add("Detection quality: changes on 2 of 10 features (or the categorical feature) after " + WARM_UP_MINUTES
                + " stable minutes; rates over windows wholly inside the change, per changed column");
        lines.add("");
        lines.add("| change | windows | detection rate, KS or chi-square (corrected) | detection rate, any test | first drifted window, delay | FIRING delay | goal (<= window + slide = 11m, shifts >= 0.5) | false drifted columns per window (unchanged columns) |");
        lines.add("|---|---:|---:|---:|---:|---:|---|---:|");
        for (Scenario s : SCENARIOS.subList(1, SCENARIOS.size())) {
            TreeMap<Long, List<FeatureDriftResult>> ws = byModel.getOrDefault(s.model(), new TreeMap<>());
            long from = s.driftFrom();
            long to = T0 + Duration.ofMinutes(s.minutes()).toMillis();
            int inside = 0;
            int pTestHits = 0;
            int anyHits = 0;
            int falseCols = 0;
            int judged = 0;
            Long firstFlag = null;
            for (Map.Entry<Long, List<FeatureDriftResult>> e : ws.entrySet()) {
                long end = e.getKey();
                long startW = end - WINDOW.toMillis();
                WindowVerdict v = policy.judge(e.getValue());
                if (end <= from) {
                    for (String f : v.driftedFeatures()) {
                        falseCols += s.truth().contains(f) ? 0 : 1;
                    }
                    judged++;
                }
                if (end > from && firstFlag == null && v.driftedFeatures().stream().anyMatch(s.truth()::contains)) {
                    firstFlag = end;
                }
                if (startW >= from && end <= to) {
                    inside++;
                    for (AlertFeature f : v.features()) {
                        if (!s.truth().contains(f.getFeature())) {
                            continue;
                        }
                        boolean p = false;
                        boolean any = false;
                        for (TestResult t : f.getTests()) {
                            if (t.getDrifted()) {
                                any = true;
                                p |= t.getTest().equals("KS") || t.getTest().equals("CHI2");
                            }
                        }
                        pTestHits += p ? 1 : 0;
                        anyHits += any ? 1 : 0;
                    }
                }
            }
            Long firing = alerts.stream().filter(a -> a.getModel().equals(s.model()) && a.getStatus() == AlertStatus.FIRING)
                    .map(a -> a.getWindowEnd().toEpochMilli()).filter(t -> t > from).min(Long::compare).orElse(null);
            int denom = inside * s.truth().size();
            boolean goalApplies = s.meanShift() >= 0.5;
            long budget = WINDOW.plus(SLIDE).toMillis();
            String goal = !goalApplies ? "-" : firing != null && firing - from <= budget ? "met" : "missed";
            lines.add(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %s | %s | %s | %.4f |",
                    s.change(), inside, denom == 0 ? 0 : (double) pTestHits / denom, denom == 0 ? 0 : (double) anyHits / denom,
                    delay(firstFlag, from), delay(firing, from), goal, judged == 0 ? 0 : (double) falseCols / judged));
        }
        return lines;
    }

    private static String delay(Long at, long from) {
        if (at == null) {
            return "never";
        }
        long s = (at - from) / 1000;
        return s / 60 + "m" + (s % 60 == 0 ? "" : String.format(Locale.ROOT, "%02ds", s % 60));
    }
}
