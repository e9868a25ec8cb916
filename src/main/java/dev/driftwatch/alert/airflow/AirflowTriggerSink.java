package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import dev.driftwatch.avro.DriftAlert;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink sink (Sink V2) that starts the retraining DAG in Airflow for drift alerts: exactly one DAG run per
 * alert (run id from the alert id; Airflow's 409 counts as done), per-model cooldown, asynchronous bounded
 * delivery with retries, and the triggers not yet acknowledged kept in checkpointed writer state, so neither
 * a restart nor an Airflow outage loses one and an outage never blocks the job. Triggers Airflow refuses, or
 * that outlive their retries or the pending cap, go to the {@link DeadLetterPublisher}.
 *
 * <p>Run it at parallelism 1: the per-model cooldown lives in the one writer's state (alerts are few).
 * Metrics, under the writer's metric group {@code driftwatch.airflow}: counters
 * {@code airflow_triggers_created}, {@code airflow_triggers_duplicate}, {@code airflow_triggers_retried},
 * {@code airflow_triggers_dead_lettered}, {@code airflow_triggers_suppressed_cooldown}, gauge
 * {@code airflow_triggers_pending}.
 */
public final class AirflowTriggerSink implements Sink<DriftAlert>, SupportsWriterState<DriftAlert, PendingTriggers> {
    private static final long serialVersionUID = 1L;

    private final AirflowTriggerConfig config;
    private final DeadLetterPublisher deadLetters;

    /**
     * @param config validated settings, see {@link AirflowTriggerConfig#fromMap}; the credentials are read
     *     from the environment variables or files it names when the writer starts, on the task manager
     * @param deadLetters where refused, expired and overflowing triggers go, e.g. {@link KafkaDeadLetterPublisher}
     */
    public AirflowTriggerSink(AirflowTriggerConfig config, DeadLetterPublisher deadLetters) {
        this.config = Objects.requireNonNull(config, "config");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public SinkWriter<DriftAlert> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<DriftAlert, PendingTriggers> restoreWriter(WriterInitContext context,
                                                                         Collection<PendingTriggers> recoveredState) {
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            throw new IllegalStateException("the Airflow trigger sink must run at parallelism 1 (its per-model "
                    + "cooldown lives in one writer's state), but runs at " + parallelism
                    + "; call .setParallelism(1) on it");
        }
        return new AirflowTriggerWriter(config, deadLetters, context.metricGroup(), recoveredState,
                System::currentTimeMillis);
    }

    @Override
    public SimpleVersionedSerializer<PendingTriggers> getWriterStateSerializer() {
        return new PendingTriggersSerializer();
    }

    public AirflowTriggerConfig config() {
        return config;
    }
}
