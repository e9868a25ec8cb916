package dev.driftwatch.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Each task's accumulated busy, back-pressured and idle time (Flink's task metrics, the web UI's "busy /
 * backpressured / idle"), read in this JVM from a metric reporter of the bench's MiniCluster that keeps only those
 * gauges. Reading them through the REST API instead made the web UI's metric fetcher dump every metric of the job
 * at each poll: with 100 models that is some 23,000 gauges, and the dumps took a fifth of the run's CPU.
 */
final class TaskTimes {
    private static final List<Reading> READINGS = new CopyOnWriteArrayList<>();

    /** Seconds a task (all its subtasks together) was busy, back-pressured and idle. */
    record TaskTime(double busy, double backPressured, double idle) {}

    private record Reading(String task, String metric, Gauge<?> gauge) {}

    private TaskTimes() {}

    /** Adds the reporter to a MiniCluster's configuration, and forgets the gauges of the previous run. */
    static void reportInto(Configuration conf) {
        READINGS.clear();
        conf.setString("metrics.reporter.bench-task-times.factory.class", Factory.class.getName());
    }

    /** The tasks' times now (a finished task keeps its last values), by task name. */
    static Map<String, TaskTime> read() {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Reading r : READINGS) {
            double[] s = sums.computeIfAbsent(r.task(), t -> new double[3]);
            Object v = r.gauge().getValue();
            double seconds = v instanceof Number n ? n.doubleValue() / 1e3 : 0;
            switch (r.metric()) {
                case "accumulateBusyTimeMs" -> s[0] += seconds;
                case "accumulateBackPressuredTimeMs" -> s[1] += seconds;
                default -> s[2] += seconds;
            }
        }
        Map<String, TaskTime> times = new LinkedHashMap<>();
        sums.forEach((task, s) -> times.put(task, new TaskTime(s[0], s[1], s[2])));
        return times;
    }

    /** Keeps the three task-time gauges of every task; every other metric is passed over. */
    public static final class Reporter implements MetricReporter {
        @Override
        public void open(MetricConfig config) {}

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            if (metric instanceof Gauge<?> gauge && (name.equals("accumulateBusyTimeMs")
                    || name.equals("accumulateBackPressuredTimeMs") || name.equals("accumulateIdleTimeMs"))) {
                String task = group.getAllVariables().getOrDefault("<task_name>", "?");
                READINGS.add(new Reading(task, name, gauge));
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            // kept: a finished task's times are read after it has ended
        }
    }

    /** Flink creates reporters through a factory named in the configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new Reporter();
        }
    }
}
