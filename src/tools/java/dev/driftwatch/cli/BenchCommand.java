package dev.driftwatch.cli;

import dev.driftwatch.bench.DetectionQualityBench;
import dev.driftwatch.bench.ThroughputBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code driftwatch bench}: end-to-end throughput against the raw limit and Flink's windows, or detection quality. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks the whole path on a real local broker: loads a topic (not timed), then reads it whole with "
                + "(a) a plain consumer loop, (b) the driftwatch job (bounded) and (c) the textbook SlidingEventTimeWindows "
                + "peer, and prints events/s, ratios, heap and checkpoint size. With --quality: detection quality on "
                + "synthetic streams with a known truth, through the real job."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "5000000", description = "Events in the topic. Default: ${DEFAULT-VALUE}.")
    long events;

    @Option(names = "--features", defaultValue = "20", description = "Numeric features per event (plus a prediction). Default: ${DEFAULT-VALUE}.")
    int features;

    @Option(names = "--models", defaultValue = "1", description = "Models the events are spread over (1, or 100 for the many-model variant). Default: ${DEFAULT-VALUE}.")
    int models;

    @Option(names = "--parallelism", split = ",", defaultValue = "1,2", description = "Job parallelisms (and raw-loop threads). Default: ${DEFAULT-VALUE}.")
    List<Integer> parallelisms;

    @Option(names = "--ratios", split = ",", defaultValue = "1,12,60", description = "window/slide ratios (slide 1 minute of event time). Default: ${DEFAULT-VALUE}.")
    List<Integer> ratios;

    @Option(names = "--span", defaultValue = "500", description = "Event-time span of the topic in minutes (5,000,000 events over 500 minutes: 10,000 events per minute). Default: ${DEFAULT-VALUE}.")
    long spanMinutes;

    @Option(names = "--skip-naive", description = "Do not run the naive SlidingEventTimeWindows peer.")
    boolean skipNaive;

    @Option(names = "--naive-events", defaultValue = "1000000", description = "The naive peer reads the first this many events (it is slow). Default: ${DEFAULT-VALUE}.")
    long naiveEvents;

    @Option(names = "--naive-ratio", defaultValue = "12", description = "window/slide of the naive peer. Default: ${DEFAULT-VALUE}.")
    int naiveRatio;

    @Option(names = "--max-drift", description = "Run the job with watermark alignment (window.max-drift, e.g. 10m). "
            + "Default: off.")
    String maxDrift;

    @Option(names = "--drift-update-interval", defaultValue = "50ms", description = "How often the readers' watermarks "
            + "are compared with --max-drift (window.drift-update-interval). Default: ${DEFAULT-VALUE}.")
    String driftUpdateInterval;

    @Option(names = "--state-backend", defaultValue = "hashmap", description = "State backend of the job runs: hashmap "
            + "(objects on the heap, the MiniCluster's default) or rocksdb (as flink-conf/config.yaml ships it, with "
            + "incremental checkpoints). Default: ${DEFAULT-VALUE}.")
    String stateBackend;

    @Option(names = "--quality", description = "Run the detection-quality benchmark instead of the throughput one.")
    boolean quality;

    @Option(names = "--out", description = "Also write the report (markdown) to this file.")
    Path out;

    @Option(names = "--work-dir", defaultValue = "target/bench", description = "Scratch directory (wiped at start). Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        if (events < 1000 || features < 1 || models < 1 || spanMinutes < 1) {
            throw new IllegalArgumentException("--events must be at least 1000, --features, --models and --span at least 1");
        }
        for (int p : parallelisms) {
            if (p < 1 || p > 2) {
                throw new IllegalArgumentException("--parallelism values must be 1 or 2 (the topic has 2 partitions), got " + p);
            }
        }
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, got " + stateBackend);
        }
        for (int r : ratios) {
            if (r < 1) {
                throw new IllegalArgumentException("--ratios values must be at least 1, got " + r);
            }
        }
        List<String> report = new ArrayList<>(machine());
        report.forEach(System.out::println);
        List<String> body = quality
                ? new DetectionQualityBench(workDir, System.out).run()
                : new ThroughputBench(new ThroughputBench.Options(events, features, models, parallelisms, ratios,
                        skipNaive, naiveEvents, naiveRatio, spanMinutes, workDir, maxDrift, driftUpdateInterval, stateBackend), System.out).run();
        System.out.println();
        body.forEach(System.out::println);
        report.add("");
        report.addAll(body);
        if (out != null) {
            Files.write(out, report, StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** The machine the figures were measured on: cores, load, JVM and its flags. */
    static List<String> machine() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        Runtime rt = Runtime.getRuntime();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "machine: %d cores (%s %s), load average %.2f at start, %s",
                rt.availableProcessors(), os.getName(), os.getArch(), os.getSystemLoadAverage(), Instant.now()));
        lines.add("jvm: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + rt.maxMemory() / (1024 * 1024) + " MiB");
        lines.add("jvm flags: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        return lines;
    }
}
