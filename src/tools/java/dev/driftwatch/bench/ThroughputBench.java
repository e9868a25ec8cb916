package dev.driftwatch.bench;

import dev.driftwatch.DriftJob;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.local.LocalKafkaBroker;
import dev.driftwatch.local.TrainingBaselines;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `driftwatch bench`: loads a topic on a real local broker (not timed), then reads it whole, from the beginning to
 * the end, (a) with a plain consumer loop (the raw limit), (b) with the driftwatch job, bounded, at each
 * parallelism and window/slide ratio, and (c) with the textbook SlidingEventTimeWindows peer; prints events/s, the
 * ratios, heap and checkpoint size per (model, feature).
 */
public final class ThroughputBench {
    static final String TOPIC = "bench-events";
    static final int PARTITIONS = 2;
    static final Duration SLIDE = Duration.ofMinutes(1);

    /** What to run. */
    public record Options(long events, int features, int models, List<Integer> parallelisms, List<Integer> ratios,
                          boolean skipNaive, long naiveEvents, int naiveRatio, long spanMinutes, Path workDir,
                          String maxDrift, String driftUpdateInterval, String stateBackend) {}

    /** One measured row of the report. */
    record Row(String what, int parallelism, int ratio, long events, double eventsPerSecond, long heapBytes,
               long checkpointBytes, long windowStateBytes, long paneStageBytes) {}

    private final Options o;
    private final PrintStream out;
    /** The broker of the current run(), whose CPU each job run reports. */
    private LocalKafkaBroker broker;

    public ThroughputBench(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    public List<String> run() throws Exception {
        Path work = o.workDir().toAbsolutePath();
        BenchFiles.wipe(work);
        List<String> report = new ArrayList<>();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"))) {
            this.broker = broker;
            BenchTraffic.createTopics(broker.bootstrapServers(), Map.of(TOPIC, PARTITIONS, "bench-alerts", 1, "bench-dead-letters", 1));
            BenchTraffic traffic = new BenchTraffic(o.features(), o.models(), o.events(), o.spanMinutes() * 60_000L);
            Path training = work.resolve("training.csv");
            traffic.writeTrainingCsv(training, 5000);
            Path baselines = work.resolve("baselines");
            for (int m = 0; m < o.models(); m++) {
                TrainingBaselines.build(training, BenchTraffic.model(m), "v1", "score", baselines);
            }
            long loadStart = System.nanoTime();
            out.printf(Locale.ROOT, "loading %,d events (%d features and a prediction, %d model(s), %d partitions) ...%n",
                    o.events(), o.features(), o.models(), PARTITIONS);
            traffic.load(broker, TOPIC);
            out.printf(Locale.ROOT, "loaded in %.1f s (not timed)%n", (System.nanoTime() - loadStart) / 1e9);

            // warm-up, not reported: the first consumer loop and the first job in this JVM run mostly interpreted code
            RawConsumerLoop.run(broker.bootstrapServers(), TOPIC, PARTITIONS, 1);
            Row warm = runJob(broker.bootstrapServers(), baselines, 1, o.ratios().get(0));
            out.printf(Locale.ROOT, "warm-up run of the job (not reported): %,.0f events/s%n", warm.eventsPerSecond());

            List<Row> rows = new ArrayList<>();
            Map<Integer, Double> raw = new HashMap<>();
            for (int threads : o.parallelisms()) {
                // the limit is the better of two runs: one run varies by a third on a shared machine, and a limit
                // measured low would flatter the job
                double eps = Math.max(RawConsumerLoop.run(broker.bootstrapServers(), TOPIC, PARTITIONS, threads),
                        RawConsumerLoop.run(broker.bootstrapServers(), TOPIC, PARTITIONS, threads));
                raw.put(threads, eps);
                rows.add(new Row("(a) raw consumer loop", threads, 0, o.events(), eps, 0, 0, 0, 0));
                out.printf(Locale.ROOT, "(a) raw limit, %d thread(s): %,.0f events/s%n", threads, eps);
            }
            for (int p : o.parallelisms()) {
                for (int ratio : o.ratios()) {
                    // the better of two runs, as for the raw limit: one run varies by 10 to 20% on a shared machine
                    Row r = better(runJob(broker.bootstrapServers(), baselines, p, ratio),
                            runJob(broker.bootstrapServers(), baselines, p, ratio));
                    rows.add(r);
                    out.printf(Locale.ROOT, "(b) driftwatch, parallelism %d, window/slide %d: %,.0f events/s, heap %s, checkpoint %s%n",
                            p, ratio, r.eventsPerSecond(), BenchFiles.mib(r.heapBytes()), BenchFiles.mib(r.checkpointBytes()));
                }
            }
            Row naive = null;
            if (!o.skipNaive()) {
                naive = runNaive(broker.bootstrapServers(), baselines, o.parallelisms().get(0), o.naiveRatio());
                rows.add(naive);
                out.printf(Locale.ROOT, "(c) naive SlidingEventTimeWindows, parallelism %d, window/slide %d: %,.0f events/s over %,d events%n",
                        naive.parallelism(), naive.ratio(), naive.eventsPerSecond(), naive.events());
            }
            report.addAll(table(rows, raw, naive));
        }
        return report;
    }

    private DriftConfig config(String bootstrap, Path baselines, int ratio) {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", bootstrap);
        kafka.put("events-topic", TOPIC);
        kafka.put("alerts-topic", "bench-alerts");
        kafka.put("dead-letter-topic", "bench-dead-letters");
        kafka.put("group-id", "bench");
        Map<String, Object> window = new HashMap<>(Map.of("size", ratio * SLIDE.toMinutes() + "m",
                "slide", SLIDE.toMinutes() + "m", "out-of-orderness", "5s", "idleness", "10s"));
        if (o.maxDrift() != null) {
            window.put("max-drift", o.maxDrift());
            window.put("drift-update-interval", o.driftUpdateInterval());
        }
        return DriftConfig.fromMap(Map.of(
                "kafka", kafka,
                "window", window,
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "2s")));
    }

    static KafkaSource<DecodedRecord> boundedSource(String bootstrap, String group, OffsetsInitializer stop) {
        return KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(TOPIC)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(stop)
                .setProperty("max.poll.records", DriftJob.SOURCE_MAX_POLL_RECORDS)
                .setDeserializer(new TimedDeserializer())
                .build();
    }

    private Row runJob(String bootstrap, Path baselines, int parallelism, int ratio) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return runJobOnce(bootstrap, baselines, parallelism, ratio);
            } catch (IllegalStateException e) {
                if (o.maxDrift() == null || attempt == 3 || !isFlink39728(e)) {
                    throw e;
                }
                // flink-connector-kafka 5.0.0-2.2: with watermark alignment, a reader paused just as its split
                // reaches the end of a bounded read fails the job (FLINK-39728, fixed upstream, not yet released)
                out.printf(Locale.ROOT, "    run failed with FLINK-39728 (pause of a finished split); run again%n");
            }
        }
    }

    static boolean isFlink39728(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No current assignment for partition")) {
                return true;
            }
        }
        return false;
    }

    private Row runJobOnce(String bootstrap, Path baselines, int parallelism, int ratio) throws Exception {
        DriftConfig config = config(bootstrap, baselines, ratio);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        failFast(env, o.workDir().toAbsolutePath().resolve("checkpoints"));
        stateBackend(env);
        DriftJob.configureEnvironment(env, config);
        DriftJob.defineWorkflow(env, config, boundedSource(bootstrap, "bench-job", OffsetsInitializer.latest()),
                DriftJob.kafkaSinks(config));
        Duration brokerBefore = broker.cpuTime();
        MeasuredRun.Result r = MeasuredRun.run(env, parallelism, o.events(), "window-evaluator");
        double brokerCpu = broker.cpuTime().minus(brokerBefore).toNanos() / 1e9;
        long paneStage = r.stateByVertexAtMax().entrySet().stream()
                .filter(e -> e.getKey().contains("pane-aggregator")).mapToLong(Map.Entry::getValue).sum();
        out.printf(Locale.ROOT, "    largest checkpoint by task: %s%n", r.stateByVertexAtMax());
        out.printf(Locale.ROOT, "    %.2f s from the first record to the job's end, %.2f s of it after the last record; %d collections, %.2f s in them%n",
                r.seconds(), r.secondsAfterLastRecord(), r.gcCount(), r.gcSeconds());
        out.printf(Locale.ROOT, "    CPU: %.2f s in the broker, %.2f s in this JVM (%s)%n", brokerCpu, r.processCpuSeconds(),
                cpuByThread(r.cpuSecondsByThread()));
        r.taskTimes().forEach((task, t) -> out.printf(Locale.ROOT, "    %s: busy %.2f s, back-pressured %.2f s, idle %.2f s%n",
                task, t.busy(), t.backPressured(), t.idle()));
        return new Row("(b) driftwatch job", parallelism, ratio, o.events(), r.eventsPerSecond(), r.maxHeapBytes(),
                r.maxCheckpointBytes(), r.maxOperatorCheckpointBytes(), paneStage);
    }

    private Row runNaive(String bootstrap, Path baselines, int parallelism, int ratio) throws Exception {
        long n = Math.min(o.naiveEvents(), o.events());
        // the first n events: n / 2 on each partition (events alternate between the two)
        Map<TopicPartition, Long> stop = new HashMap<>();
        stop.put(new TopicPartition(TOPIC, 0), (n + 1) / 2);
        stop.put(new TopicPartition(TOPIC, 1), n / 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        failFast(env, o.workDir().toAbsolutePath().resolve("checkpoints"));
        stateBackend(env);
        DriftJob.configureEnvironment(env, config(bootstrap, baselines, ratio));
        NaiveSlidingWindows.define(env, boundedSource(bootstrap, "bench-naive", OffsetsInitializer.offsets(stop)),
                new BaselineSource(baselines.toString(), false), SLIDE.multipliedBy(ratio), SLIDE, 1000);
        MeasuredRun.Result r = MeasuredRun.run(env, parallelism, n, "naive-window-statistics");
        return new Row("(c) naive sliding windows", parallelism, ratio, n, r.eventsPerSecond(), r.maxHeapBytes(),
                r.maxCheckpointBytes(), r.maxOperatorCheckpointBytes(), 0);
    }

    private List<String> table(List<Row> rows, Map<Integer, Double> raw, Row naive) {
        int columns = o.features() + 1;
        long keys = (long) o.models() * columns;
        List<String> lines = new ArrayList<>();
        lines.add((o.maxDrift() == null ? "job: watermark alignment off"
                : "job: watermark alignment on, window.max-drift " + o.maxDrift() + ", compared every "
                        + o.driftUpdateInterval()) + "; state backend " + o.stateBackend());
        lines.add("");
        lines.add("| run | parallelism | window/slide | events | events/s | (b)/(a) | (b)/(a) per core | (b)/(c) | heap after GC (max) | checkpoint (max) | window-evaluator state per (model, feature) | goal 5 bound | pane stage state per (model, feature), in the largest checkpoint |");
        lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            boolean job = r.what().startsWith("(b)");
            Double a = raw.get(r.parallelism());
            String vsRaw = job && a != null ? fmt(r.eventsPerSecond() / a) : "";
            String perCore = job && raw.get(1) != null ? fmt(r.eventsPerSecond() / r.parallelism() / raw.get(1)) : "";
            String vsNaive = job && naive != null && r.ratio() == naive.ratio() && r.parallelism() == naive.parallelism()
                    ? fmt(r.eventsPerSecond() / naive.eventsPerSecond()) : "";
            String perKey = r.windowStateBytes() > 0 && r.what().startsWith("(b)")
                    ? String.format(Locale.ROOT, "%,d B", r.windowStateBytes() / keys) : "";
            String bound = job ? String.format(Locale.ROOT, "%,d B", (long) r.ratio() * (8L * 1000 + 8L * 10)) : "";
            String paneStage = job && r.checkpointBytes() > 0 ? String.format(Locale.ROOT, "%,d B", r.paneStageBytes() / keys) : "";
            lines.add(String.format(Locale.ROOT, "| %s | %d | %s | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s |",
                    r.what(), r.parallelism(), r.ratio() == 0 ? "-" : Integer.toString(r.ratio()), r.events(),
                    r.eventsPerSecond(), vsRaw, perCore, vsNaive,
                    r.heapBytes() == 0 ? "" : BenchFiles.mib(r.heapBytes()),
                    r.checkpointBytes() == 0 ? "" : BenchFiles.mib(r.checkpointBytes()), perKey, bound, paneStage));
        }
        return lines;
    }

    /** The faster run's throughput, with the larger heap and state figures of the two. */
    static Row better(Row a, Row b) {
        Row fast = a.eventsPerSecond() >= b.eventsPerSecond() ? a : b;
        return new Row(fast.what(), fast.parallelism(), fast.ratio(), fast.events(), fast.eventsPerSecond(),
                Math.max(a.heapBytes(), b.heapBytes()), Math.max(a.checkpointBytes(), b.checkpointBytes()),
                Math.max(a.windowStateBytes(), b.windowStateBytes()), Math.max(a.paneStageBytes(), b.paneStageBytes()));
    }

    /** A benchmark run that fails must stop with its error, not restart and skew the figures. */
    static void failFast(StreamExecutionEnvironment env, Path checkpoints) {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // file checkpoints as on a cluster: the JobManager's in-memory storage refuses state over 5 MiB
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        env.configure(c);
    }

    /** The state backend asked for; rocksdb as flink-conf/config.yaml ships it (incremental checkpoints). */
    private void stateBackend(StreamExecutionEnvironment env) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, o.stateBackend());
        if (o.stateBackend().equals("rocksdb")) {
            c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        env.configure(c);
    }

    private static String cpuByThread(Map<String, Double> byThread) {
        List<String> parts = new ArrayList<>();
        byThread.entrySet().stream().limit(8).forEach(e ->
                parts.add(String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue())));
        return String.join(", ", parts);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
