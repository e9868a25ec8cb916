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

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one bounded job graph on a MiniCluster of its own in this JVM and measures it: seconds from its first
 * record to its end, the most heap in use while it ran, and the largest completed checkpoint (in all and of the
 * operator whose name is given, and of every task in the largest one), read from the checkpoint statistics the web UI
 * shows.
 */
final class MeasuredRun {
    /** What one run measured. */
    record Result(long events, double seconds, double secondsAfterLastRecord, long maxHeapBytes, long maxCheckpointBytes, long maxOperatorCheckpointBytes,
                  int completedCheckpoints, Map<String, Long> stateByVertexAtMax) {
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

    static Result run(StreamExecutionEnvironment env, int slots, long events, String operatorName) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        MiniClusterConfiguration mcc = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build();
        System.gc();
        TimedDeserializer.FIRST_RECORD_NANOS.set(0);
        TimedDeserializer.OPENED.clear();
        try (MiniCluster cluster = new MiniCluster(mcc)) {
            cluster.start();
            JobID id = cluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
            long maxHeap = 0;
            long maxCheckpoint = 0;
            long maxOperator = 0;
            int completed = 0;
            Map<String, Long> byVertex = new LinkedHashMap<>();
            var result = cluster.requestJobResult(id);
            while (!result.isDone()) {
                maxHeap = Math.max(maxHeap, heapAfterGc());
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
            return new Result(events, seconds, tail, maxHeap, maxCheckpoint, maxOperator, completed, byVertex);
        }
    }
}
