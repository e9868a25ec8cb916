package dev.driftwatch.bench;

import dev.driftwatch.stats.Divergence;
import dev.driftwatch.stats.KolmogorovSmirnov;
import dev.driftwatch.stats.KsResult;
import dev.driftwatch.stats.Reservoir;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Speed of the statistics core, the work stage 2 does per (model, feature, window): the exact KS test on two
 * samples of n (scipy 1.10.1's ks_2samp takes 0.35-0.65 ms at 1000 x 1000 on the project's 2-core build machine),
 * PSI and KL over 10 bins, reservoir adds (stage 1, per event) and a merge of two full reservoirs.
 *
 * <p>Run (see docs/benchmarks/stats.md):
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/bench.classpath) dev.driftwatch.bench.StatsBenchmark
 * </pre>
 * With arguments, main passes them to JMH (e.g. {@code StatsBenchmark -f 1 -wi 3 -i 5}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StatsBenchmark {
    private static final int STREAM = 100_000;

    /** Two normal samples of n, the second shifted by 0.1 sd (a drift near the alpha = 0.01 boundary at n = 1000). */
    @State(Scope.Benchmark)
    public static class KsSamples {
        @Param({"1000", "5000"})
        public int n;

        double[] current;
        double[] reference;
        double[] sortedCurrent;
        double[] sortedReference;
        // one fewer value: unequal sizes take the O(n * band) lattice recursion instead of the O(n) sum
        double[] sortedReferenceMinusOne;

        @Setup
        public void setUp() {
            SplittableRandom random = new SplittableRandom(20261128);
            current = new double[n];
            reference = new double[n];
            for (int i = 0; i < n; i++) {
                current[i] = gaussian(random) + 0.1;
                reference[i] = gaussian(random);
            }
            sortedCurrent = current.clone();
            sortedReference = reference.clone();
            Arrays.sort(sortedCurrent);
            Arrays.sort(sortedReference);
            sortedReferenceMinusOne = Arrays.copyOf(sortedReference, n - 1);
            Arrays.sort(sortedReferenceMinusOne);
        }
    }

    /** The job's usual case: a window reservoir of 1000 against a baseline reference sample of 10000 (still exact). */
    @State(Scope.Benchmark)
    public static class WindowVsBaseline {
        double[] sortedWindow;
        double[] sortedBaseline;

        @Setup
        public void setUp() {
            SplittableRandom random = new SplittableRandom(11);
            sortedWindow = new double[1000];
            sortedBaseline = new double[10_000];
            for (int i = 0; i < sortedWindow.length; i++) {
                sortedWindow[i] = gaussian(random) + 0.1;
            }
            for (int i = 0; i < sortedBaseline.length; i++) {
                sortedBaseline[i] = gaussian(random);
            }
            Arrays.sort(sortedWindow);
            Arrays.sort(sortedBaseline);
        }
    }

    /** Ten-bin fractions of a window and its baseline. */
    @State(Scope.Benchmark)
    public static class Bins {
        final double[] current = {0.085, 0.074, 0.106, 0.075, 0.093, 0.095, 0.13, 0.111, 0.088, 0.143};
        final double[] baseline = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    }

    /** A stream of values for the reservoir, and two full reservoirs of k = 1000 to merge. */
    @State(Scope.Benchmark)
    public static class Stream {
        double[] values;
        Reservoir left;
        Reservoir right;

        @Setup
        public void setUp() {
            SplittableRandom random = new SplittableRandom(7);
            values = new double[STREAM];
            for (int i = 0; i < STREAM; i++) {
                values[i] = gaussian(random);
            }
            left = new Reservoir(1000, 1);
            right = new Reservoir(1000, 2);
            for (double v : values) {
                left.add(v);
                right.add(-v);
            }
        }
    }

    /** Exact KS on unsorted samples, sort included (what scipy's 0.35-0.65 ms covers). */
    @Benchmark
    public KsResult ksExactUnsorted(KsSamples s) {
        return KolmogorovSmirnov.test(s.current, s.reference);
    }

    /** Exact KS on presorted samples (the window evaluator sorts the reservoir; the baseline is sorted once). */
    @Benchmark
    public KsResult ksExactSorted(KsSamples s) {
        return KolmogorovSmirnov.testSorted(s.sortedCurrent, s.n, s.sortedReference, s.n);
    }

    /** Exact KS at n x (n - 1), presorted: the lattice-path recursion. */
    @Benchmark
    public KsResult ksExactSortedUnequal(KsSamples s) {
        return KolmogorovSmirnov.testSorted(s.sortedCurrent, s.n, s.sortedReferenceMinusOne, s.n - 1);
    }

    /** Exact KS of a 1000-value window sample against a sorted 10000-value baseline sample. */
    @Benchmark
    public KsResult ksExactWindow1000VsBaseline10000(WindowVsBaseline s) {
        return KolmogorovSmirnov.testSorted(s.sortedWindow, 1000, s.sortedBaseline, 10_000);
    }

    @Benchmark
    public double psi10(Bins b) {
        return Divergence.psi(b.current, b.baseline);
    }

    @Benchmark
    public double kl10(Bins b) {
        return Divergence.kl(b.current, b.baseline);
    }

    /** Time per add, averaged over a pane of 100000 values into a fresh k = 1000 reservoir. */
    @Benchmark
    @OperationsPerInvocation(STREAM)
    public Reservoir reservoirAdd(Stream s) {
        Reservoir reservoir = new Reservoir(1000, 3);
        for (double v : s.values) {
            reservoir.add(v);
        }
        return reservoir;
    }

    /** Merge of two full k = 1000 reservoirs (one pane into a window). */
    @Benchmark
    public Reservoir reservoirMerge(Stream s) {
        Reservoir window = s.left.copy();
        window.merge(s.right);
        return window;
    }

    private static double gaussian(SplittableRandom random) {
        return random.nextGaussian();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        new Runner(new OptionsBuilder().include(StatsBenchmark.class.getName()).build()).run();
    }
}
