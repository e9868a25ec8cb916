package dev.driftwatch.bench;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.BaselineBuilder;
import dev.driftwatch.io.Table;
import dev.driftwatch.io.TableReader;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Time and peak heap of `baseline build` on a large Parquet training set: 10 million rows x 20 columns (18 doubles,
 * one integer, one 12-category text column), built with the defaults (10 bins, 2000-value samples). Not a JMH
 * benchmark: one build is the unit of interest, and the figure that matters is the heap, which a JMH fork would
 * blur. Run with the heap the issue allows:
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * java -Xmx2g -cp target/test-classes:target/classes:$(cat target/bench.classpath) \
 *     dev.driftwatch.bench.BaselineBuildBenchmark [rows] [file]
 * </pre>
 * The Parquet file (about 1.5 GB, written by DuckDB) is generated once into target/bench/ and reused.
 */
public final class BaselineBuildBenchmark {
    private BaselineBuildBenchmark() {}

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        Path file = Path.of(args.length > 1 ? args[1] : "target/bench/train-" + rows + "x20.parquet");
        if (!Files.exists(file)) {
            generate(file, rows);
        }
        System.out.printf(Locale.ROOT, "file %s: %.0f MB, %d rows; max heap %d MB%n", file, Files.size(file) / 1e6, rows,
                Runtime.getRuntime().maxMemory() >> 20);

        HeapWatch heap = HeapWatch.start();
        long t0 = System.nanoTime();
        Table table = TableReader.read(file);
        BaselineBuilder builder = new BaselineBuilder("bench", "v1", BaselineBuilder.DEFAULT_BINS,
                BaselineBuilder.DEFAULT_SAMPLE, BaselineBuilder.DEFAULT_TOP_CATEGORIES,
                BaselineBuilder.lineage(table, Instant.now()));
        List<FeatureBaseline> baselines = builder.buildAll(table);
        double seconds = (System.nanoTime() - t0) / 1e9;
        heap.stop();

        System.out.printf(Locale.ROOT, "built %d baselines from %d rows in %.1f s (%.1f M values/s)%n", baselines.size(),
                table.rows(), seconds, table.rows() * (double) baselines.size() / seconds / 1e6);
        System.out.printf(Locale.ROOT, "peak heap used, sampled every 5 ms:   %d MB%n", heap.sampledPeak.get() >> 20);
        System.out.printf(Locale.ROOT, "peak heap used after a GC:            %d MB%n", heap.afterGcPeak.get() >> 20);
        System.out.printf(Locale.ROOT, "sum of the heap pools' peak usages:   %d MB (an upper bound)%n", heap.poolPeaks() >> 20);
        // DuckDB decodes outside the heap: the process's resident peak shows what it took
        Path status = Path.of("/proc/self/status");
        if (Files.exists(status)) {
            Files.readAllLines(status).stream().filter(l -> l.startsWith("VmHWM")).forEach(l ->
                    System.out.println("process resident peak (" + l.replaceAll("\\s+", " ") + ")"));
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            System.out.printf(Locale.ROOT, "gc %s: %d collections, %d ms%n", gc.getName(), gc.getCollectionCount(), gc.getCollectionTime());
        }
    }

    static void generate(Path file, long rows) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder cols = new StringBuilder();
        for (int j = 0; j < 18; j++) {
            // a spread of shapes: normal-ish (sum of uniforms), skewed, and coarse values with many ties
            cols.append(switch (j % 3) {
                case 0 -> "(random() + random() + random() - 1.5) * " + (j + 1);
                case 1 -> "exp(random() * 4)";
                default -> "round(random() * 50)";
            }).append(" AS f").append(j).append(", ");
        }
        cols.append("(i % 97)::BIGINT AS f18, 'c' || (hash(i) % 12) AS f19");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("SET memory_limit = '2GB'");
            st.execute("SET threads = 2");
            st.execute("COPY (SELECT " + cols + " FROM range(" + rows + ") t(i)) TO '"
                    + file.toAbsolutePath() + "' (FORMAT parquet)");
        }
    }

    /** Peak heap use: a sampler thread plus the used heap right after every collection. */
    static final class HeapWatch {
        final AtomicLong sampledPeak = new AtomicLong();
        final AtomicLong afterGcPeak = new AtomicLong();
        private volatile boolean running = true;
        private Thread sampler;

        static HeapWatch start() {
            HeapWatch w = new HeapWatch();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                p.resetPeakUsage();
            }
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener((n, hb) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                        long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
                        w.afterGcPeak.accumulateAndGet(used, Math::max);
                    }
                }, null, null);
            }
            w.sampler = new Thread(() -> {
                while (w.running) {
                    w.sampledPeak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            w.sampler.setDaemon(true);
            w.sampler.start();
            return w;
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.join();
        }

        long poolPeaks() {
            long sum = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    sum += p.getPeakUsage().getUsed();
                }
            }
            return sum;
        }
    }
}
