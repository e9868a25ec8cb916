package dev.driftwatch.bench;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one bounded job graph on a MiniCluster of its own in this JVM and measures it: seconds from its first
 * record to its end, the most heap in use while it ran, and the largest completed checkpoint (in all and of the
 * operator whose name is given, and of every task in the largest one), read from the checkpoint statistics the web UI
 * shows; and where the time went: collections, CPU by thread, and each task's busy, back-pressured and idle time
 * (Flink's own task metrics, {@link TaskTimes}).
 */
final class MeasuredRun {
    /** What one run measured. */
    record Result(long events, double seconds, double secondsAfterLastRecord, long maxHeapBytes, long maxCheckpointBytes, long maxOperatorCheckpointBytes,
                  int completedCheckpoints, Map<String, Long> stateByVertexAtMax, long gcCount, double gcSeconds,
                  double processCpuSeconds, Map<String, Double> cpuSecondsByThread,
                  Map<String, TaskTimes.TaskTime> taskTimes) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    private MeasuredRun() {}

    /** Heap in use after the latest collection of each heap pool: live data, not garbage waiting for the collector. */
    static long heapAfterGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }

    /** Collections so far and the seconds they took, over every collector of this JVM. */
    private static long[] gcSoFar() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /**
     * CPU time of this JVM's threads while a job runs, read at each poll of the job (a thread's last reading counts,
     * so up to one poll interval of a thread that ended is missed), summed by thread name without its subtask and
     * attempt suffix.
     */
    private static final class ThreadCpu {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final Map<Long, String> names = new HashMap<>();
        private final Map<Long, Long> first = new HashMap<>();
        private final Map<Long, Long> last = new HashMap<>();

        void read() {
            if (!threads.isThreadCpuTimeSupported()) {
                return;
            }
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t == null) {
                    continue;
                }
                long cpu = threads.getThreadCpuTime(t.getThreadId());
                if (cpu >= 0) {
                    names.putIfAbsent(t.getThreadId(), t.getThreadName().replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?$", "").replaceAll("-\\d+$", "-N"));
                    first.putIfAbsent(t.getThreadId(), cpu);
                    last.put(t.getThreadId(), cpu);
                }
            }
        }

        Map<String, Double> byName() {
            Map<String, Double> sum = new HashMap<>();
            last.forEach((id, cpu) -> sum.merge(names.get(id), (cpu - first.get(id)) / 1e9, Double::sum));
            Map<String, Double> sorted = new LinkedHashMap<>();
            sum.entrySet().stream().filter(e -> e.getValue() >= 0.01)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            return sorted;
        }
    }

    private static double processCpuSeconds() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    static Result run(StreamExecutionEnvironment env, int slots, long events, String operatorName) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        TaskTimes.reportInto(conf);
        MiniClusterConfiguration mcc = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build();
        System.gc();
        TimedDeserializer.FIRST_RECORD_NANOS.set(0);
        TimedDeserializer.OPENED.clear();
        try (MiniCluster cluster = new MiniCluster(mcc)) {
            cluster.start();
            long[] gcBefore = gcSoFar();
            double cpuBefore = processCpuSeconds();
            ThreadCpu threadCpu = new ThreadCpu();
            JobID id = cluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
            long maxHeap = 0;
            long maxCheckpoint = 0;
            long maxOperator = 0;
            int completed = 0;
            Map<String, Long> byVertex = new LinkedHashMap<>();
            var result = cluster.requestJobResult(id);
            while (!result.isDone()) {
                maxHeap = Math.max(maxHeap, heapAfterGc());
                threadCpu.read();
                try {
                    AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(5, TimeUnit.SECONDS);
                    CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
                    CompletedCheckpointStats last = stats == null ? null : stats.getHistory().getLatestCompletedCheckpoint();
                    if (last != null) {
                        completed = (int) stats.getCounts().getNumberOfCompletedCheckpoints();
                        boolean largest = last.getStateSize() > maxCheckpoint;
                        maxCheckpoint = Math.max(maxCheckpoint, last.getStateSize());
                        for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
                            TaskStateStats t = last.getTaskStateStats(v.getJobVertexId());
                            if (t != null && v.getName().contains(operatorName)) {
                                maxOperator = Math.max(maxOperator, t.getStateSize());
                            }
                            if (t != null && largest) {
                                byVertex.put(v.getName(), t.getStateSize());
                            }
                        }
                    }
                } catch (Exception finishedMeanwhile) {
                    // the job ended between the check and the request: the loop ends
                }
                try {
                    result.get(250, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // poll again
                }
            }
            long end = System.nanoTime();
            long[] gcAfter = gcSoFar();
            double cpu = processCpuSeconds() - cpuBefore;
            JobResult r = result.get();
            if (!r.isSuccess()) {
                throw new IllegalStateException("benchmark job failed", r.getSerializedThrowable()
                        .map(t -> (Throwable) t).orElse(null));
            }
            long first = TimedDeserializer.FIRST_RECORD_NANOS.get();
            if (TimedDeserializer.records() != events) {
                throw new IllegalStateException("the job read " + TimedDeserializer.records() + " records, expected " + events);
            }
            double seconds = (end - first) / 1e9;
            double tail = (end - TimedDeserializer.lastRecordNanos()) / 1e9;
            return new Result(events, seconds, tail, maxHeap, maxCheckpoint, maxOperator, completed, byVertex,
                    gcAfter[0] - gcBefore[0], (gcAfter[1] - gcBefore[1]) / 1e3, cpu, threadCpu.byName(), TaskTimes.read());
        }
    }
}
