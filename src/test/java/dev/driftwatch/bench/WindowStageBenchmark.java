package dev.driftwatch.bench;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.stats.QuantileBins;
import dev.driftwatch.testing.Baselines;
import dev.driftwatch.window.WindowEvaluator;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Stage 2's cost per window, the part of the job that grows with window/slide (issue 8, goal 3): the real
 * {@link WindowEvaluator} in Flink's keyed operator test harness (heap or RocksDB state), fed per slide one pane of each of
 * 21 numeric features, as the pane stage emits them (10,000 values, a sample of k = 1000 with uniform hash keys, 10
 * bins, a reference sample of 2000), then the watermark that ends their windows: the bench's traffic, so the state
 * (21 features x W panes) does not all sit in the CPU's caches. Figures are per window (one pane in, one window
 * evaluated, expired panes dropped), in the steady state of a long stream, at W = 1, 12 and 60 panes per window.
 * Each pane is a fresh copy (stage 2 takes over an arriving pane's arrays), about a microsecond, where the job
 * instead deserializes it.
 *
 * <p>Run (figures in docs/benchmarks/window-stage.md):
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/bench.classpath) dev.driftwatch.bench.WindowStageBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WindowStageBenchmark {
    static final long SLIDE = 60_000;
    static final int K = 1000;
    static final int PANE_EVENTS = 10_000;
    static final int POOL = 97;
    static final int FEATURES = 21;

    @Param({"1", "12", "60"})
    public int panesPerWindow;

    /**
     * MiB written between slides, not timed: in the job the pane stage streams Kafka's data through the caches
     * between two slides of stage 2, so stage 2 finds its state in memory, not in a cache. 0 leaves the caches warm.
     */
    @Param({"0", "64"})
    public int evictMiB;

    /** State backend of the harness: hashmap (objects on the heap) or rocksdb (as flink-conf/config.yaml ships it). */
    @Param({"hashmap", "rocksdb"})
    public String stateBackend;

    private long[] evict;

    private Path dir;
    private PaneProfile[] pool;
    private KeyedOneInputStreamOperatorTestHarness<String, PaneProfile, FeatureDriftResult> harness;
    private long next;
    private String[] features;
    private String[] fingerprints;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SplittableRandom random = new SplittableRandom(29);
        double[] training = new double[5000];
        for (int i = 0; i < training.length; i++) {
            training[i] = random.nextGaussian();
        }
        Arrays.sort(training);
        List<Double> edges = new ArrayList<>();
        for (int b = 1; b < 10; b++) {
            edges.add(QuantileBins.quantile(training, training.length, b / 10.0));
        }
        List<Double> fractions = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            fractions.add(0.1);
        }
        List<Double> reference = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            reference.add(training[random.nextInt(training.length)]);
        }
        dir = Files.createTempDirectory("window-stage-bench");
        List<FeatureBaseline> records = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            records.add(Baselines.numeric("m", "v1", "x" + f, edges, fractions, reference));
        }
        BaselineStore.write(dir, records);
        BaselineSource source = new BaselineSource(dir.toString(), true);
        Baseline[] baselines = source.current().forEvent("m", "v1").features();

        pool = new PaneProfile[POOL];
        for (int p = 0; p < POOL; p++) {
            FeatureProfile profile = FeatureProfile.empty(baselines[0], K, p, false);
            for (int i = 0; i < PANE_EVENTS; i++) {
                profile.add(random.nextGaussian(), random.nextDouble());
            }
            pool[p] = profile.toPane("m", "v1", 0, SLIDE);
        }
        features = new String[FEATURES];
        fingerprints = new String[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            features[f] = baselines[f].feature();
            fingerprints[f] = baselines[f].fingerprint();
        }

        DriftConfig config = DriftConfig.fromMap(Map.of("window", Map.of(
                "size", panesPerWindow + "m", "slide", "1m", "min-events", 10)));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new WindowEvaluator(source, config.window(), config.tests(), K)),
                PaneProfile::featureKey, Types.STRING);
        if (stateBackend.equals("rocksdb")) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.open();
        // fill the windows once, so every measured operation is the steady state
        for (int i = 0; i < 2 * panesPerWindow; i++) {
            window();
        }
    }

    @Setup(Level.Invocation)
    public void evictCaches() {
        if (evict == null || evict.length != evictMiB * 131072) {
            evict = new long[evictMiB * 131072];
        }
        for (int i = 0; i < evict.length; i += 8) {
            evict[i]++;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        harness.close();
        BenchFiles.wipe(dir);
    }

    /** Per feature one pane in, the window ending with it evaluated, the pane that left it dropped. */
    @Benchmark
    @OperationsPerInvocation(FEATURES)
    public int window() throws Exception {
        long end = (next + 1) * SLIDE;
        for (int f = 0; f < FEATURES; f++) {
            PaneProfile pane = copy(pool[(int) ((next * FEATURES + f) % POOL)], next * SLIDE);
            pane.feature = features[f];
            // a received pane brings its own copy of the fingerprint
            pane.baselineFingerprint = new String(fingerprints[f].toCharArray());
            harness.processElement(pane, end - 1);
        }
        harness.processWatermark(end - 1);
        next++;
        int results = harness.getOutput().size();
        harness.getOutput().clear();
        return results;
    }

    private static PaneProfile copy(PaneProfile from, long start) {
        PaneProfile p = new PaneProfile();
        p.model = from.model;
        p.modelVersion = from.modelVersion;
        p.feature = from.feature;
        p.baselineVersion = from.baselineVersion;
        p.baselineFingerprint = from.baselineFingerprint;
        p.kind = from.kind;
        p.paneStart = start;
        p.paneEnd = start + SLIDE;
        p.count = from.count;
        p.missing = from.missing;
        p.cells = from.cells.clone();
        p.sample = from.sample.copy();
        return p;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        new Runner(new OptionsBuilder().include(WindowStageBenchmark.class.getSimpleName()).build()).run();
    }
}
