package dev.driftwatch.ops.cluster;

import dev.driftwatch.avro.DriftAlert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ClusterScenario} saw on the real cluster, written as JSON for FlinkClusterIT to assert on. Fields stay
 * null where the scenario stopped before reaching them ({@link #failure} says why).
 */
public final class ClusterReport {
    /** The exception that ended the scenario early, with its stack trace; null when it ran to the end. */
    public String failure;
    /** Wall time of each phase in seconds, in the order they ran. */
    public Map<String, Double> timings = new LinkedHashMap<>();
    /** flink-conf/config.yaml's keys whose values the cluster's conf changed, with the new values. */
    public Map<String, String> confChanges = new LinkedHashMap<>();
    /** The JVM options every Flink process got from the conf's env.java.* keys. */
    public List<String> javaOptions;
    public int parallelismDefault;
    /** Flink processes that exited while starting and were started again (the compose file's restart policy). */
    public List<String> restartsWhileStarting = new ArrayList<>();
    public long eventsSent;

    /** Job A: `flink run` (CliFrontend); a TaskManager of it is killed, then it is stopped and restored. */
    public Submission cli;
    /** Job B: REST /jars/upload and /jars/:id/run with parallelism 2 (cancelled once RUNNING, to free its slots). */
    public Submission rest;
    /** REST /jars/:id/run without a parallelism in the request (cancelled before it runs). */
    public Submission restWithoutParallelism;

    /** Job A's checkpoints before the kill. */
    public Checkpoints checkpoints;
    public Metrics metrics;
    public Kill kill;
    public Restore savepointRestore;
    public Application application;

    /** read_committed alerts of job A (killed TaskManager, savepoint, restore), in topic order. */
    public List<Alert> killedRunAlerts = new ArrayList<>();
    /** read_committed alerts of the application-mode run: the same events, nothing killed or stopped. */
    public List<Alert> referenceAlerts = new ArrayList<>();

    public static final class Submission {
        public String jobId;
        public String state;
        public List<Integer> parallelism;
        /** The CLI's or REST's answer when it did not give a job id. */
        public String output;
    }

    public static final class Checkpoints {
        public long completed;
        public String stateBackend;
        public String checkpointStorage;
        public String latestPath;
        public boolean latestMetadataExists;
    }

    public static final class Metrics {
        /** The reporters of the TaskManagers that run job A. */
        public List<String> urls = new ArrayList<>();
        public List<String> driftwatchMetrics = new ArrayList<>();
        /** Sum of flink_taskmanager_job_task_operator_driftwatch_events_valid over the job's source subtasks. */
        public double eventsValid;
        public long eventsSentBefore;
        public double windowsEvaluated;
        public double alertsFiring;
    }

    public static final class Kill {
        public long completedCheckpointsBefore;
        /** The killed TaskManager's resource id. */
        public String taskManager;
        /** Whether an alert sat in an open (uncommitted) Kafka transaction when the TaskManager was killed. */
        public boolean alertInOpenTransaction;
        public String openTransactionAlert;
        public long killedPid;
        public int exitSignal;
        public String stateAfter;
        public Long restoredCheckpointId;
        public Boolean restoredFromSavepoint;
        /** The TaskManagers that run the job after its restore. */
        public List<String> taskManagersAfter;
    }

    public static final class Restore {
        public String savepoint;
        public boolean savepointMetadataExists;
        public String jobId;
        public String state;
        public List<Integer> parallelism;
        public Boolean restoredFromSavepoint;
        public String restoredPath;
        public String output;
    }

    public static final class Application {
        /** services.jobmanager.command of docker-compose.yml. */
        public List<String> composeCommand;
        /** What the entrypoint got, as standalone-job.sh passes it. */
        public List<String> entrypointArgs;
        public String jobId;
        public String state;
        public List<Integer> parallelism;
        public String jobManagerOutput;
    }

    /** An alert as the comparisons see it: created_at (processing time) left out. */
    public record Alert(String alertId, String status, long windowStart, long windowEnd, String features) {
        static Alert of(DriftAlert a) {
            return new Alert(a.getAlertId(), a.getStatus().name(), a.getWindowStart().toEpochMilli(),
                    a.getWindowEnd().toEpochMilli(), String.valueOf(a.getFeatures()));
        }
    }
}
