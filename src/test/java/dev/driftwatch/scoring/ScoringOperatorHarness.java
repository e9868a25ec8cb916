package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.avro.InferenceEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * A {@link ScoringOperator} in Flink's operator test harness, with a metric registry that keeps
 * every metric the operator registers together with its group's variables (the labels a
 * Prometheus reporter would export).
 */
final class ScoringOperatorHarness implements AutoCloseable {

    /** One registered metric: its name, its group's variables and the metric itself. */
    record Registered(String name, Map<String, String> variables, Metric metric) {}

    final List<Registered> metrics = new CopyOnWriteArrayList<>();
    final ScoringOperator operator;
    final OneInputStreamOperatorTestHarness<InferenceEvent, ScoredEvent> harness;

    ScoringOperatorHarness(ScoringModelConfig config, Map<String, Double> means) throws Exception {
        this(new ScoringOperator(config, means));
    }

    ScoringOperatorHarness(ScoringOperator operator) throws Exception {
        this.operator = operator;
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) ->
                        metrics.add(new Registered(name, new java.util.HashMap<>(group.getAllVariables()), metric)))
                .build();
        TaskMetricGroup taskGroup = TaskManagerMetricGroup
                .createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), "scoring-test")
                .addTask(ExecutionAttemptID.randomId(), "scoring");
        MockEnvironment environment = new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
        this.harness = new OneInputStreamOperatorTestHarness<>(operator, environment);
    }

    List<ScoredEvent> output() {
        return harness.extractOutputValues();
    }

    long counter(String name) {
        return metrics.stream().filter(m -> m.name().equals(name) && m.metric() instanceof Counter)
                .map(m -> ((Counter) m.metric()).getCount())
                .findFirst().orElseThrow(() -> new AssertionError("no counter " + name + " in " + metrics));
    }

    Registered metric(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + metrics));
    }

    Object gaugeValue(String name) {
        return ((Gauge<?>) metric(name).metric()).getValue();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
