package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import dev.driftwatch.config.Durations;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link AirflowTriggerSink}: filters and cools down alerts on the task thread, hands the
 * triggers to a {@link TriggerDelivery} that talks to Airflow on its own threads, and snapshots what is
 * still pending. {@link #write} only enqueues; only the end of a bounded input waits for Airflow.
 */
final class AirflowTriggerWriter implements StatefulSinkWriter<DriftAlert, PendingTriggers> {
    private static final Logger LOG = LoggerFactory.getLogger(AirflowTriggerWriter.class);

    static final String CREATED = "airflow_triggers_created";
    static final String DUPLICATE = "airflow_triggers_duplicate";
    static final String RETRIED = "airflow_triggers_retried";
    static final String DEAD_LETTERED = "airflow_triggers_dead_lettered";
    static final String SUPPRESSED_COOLDOWN = "airflow_triggers_suppressed_cooldown";
    static final String PENDING = "airflow_triggers_pending";

    /** Dead-letter reason when the pending cap is reached. */
    static final String OVERFLOW = "AIRFLOW_OVERFLOW";

    private final AirflowTriggerConfig config;
    private final AirflowDagTrigger requests;
    private final CooldownTracker cooldown;
    private final LongSupplier clock;
    private final AirflowClient client;
    private final ScheduledExecutorService timer;
    private final TriggerDelivery delivery;
    private final DeadLetterPublisher.Channel deadLetters;
    private final AirflowCredentials credentials;

    private final Counter created;
    private final Counter duplicates;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter suppressed;

    // Latest created_at seen: the cooldown's notion of "now" when the state is snapshotted.
    private long latestAlertMillis = Long.MIN_VALUE;

    AirflowTriggerWriter(AirflowTriggerConfig config, DeadLetterPublisher deadLetterPublisher, MetricGroup metrics,
                         Collection<PendingTriggers> recovered, LongSupplier clock) {
        this.config = config;
        this.requests = new AirflowDagTrigger(config);
        this.clock = clock;
        this.credentials = AirflowCredentials.load(config);

        MetricGroup group = metrics.addGroup("driftwatch").addGroup("airflow");
        this.created = group.counter(CREATED, new AtomicCounter());
        this.duplicates = group.counter(DUPLICATE, new AtomicCounter());
        this.retried = group.counter(RETRIED, new AtomicCounter());
        this.deadLettered = group.counter(DEAD_LETTERED, new AtomicCounter());
        this.suppressed = group.counter(SUPPRESSED_COOLDOWN, new AtomicCounter());

        Map<String, CooldownEntry> cooldowns = new HashMap<>();
        for (PendingTriggers state : recovered) {
            state.getCooldowns().forEach((model, entry) -> cooldowns.merge(model, entry,
                    (a, b) -> a.getStartedAtMillis() >= b.getStartedAtMillis() ? a : b));
        }
        this.cooldown = new CooldownTracker(config.cooldown(), cooldowns);
        cooldowns.values().forEach(e -> latestAlertMillis = Math.max(latestAlertMillis, e.getStartedAtMillis()));

        this.deadLetters = deadLetterPublisher.open();
        this.client = new AirflowClient(config, credentials);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airflow-trigger-retry");
            t.setDaemon(true);
            return t;
        });
        this.delivery = new TriggerDelivery(client::trigger, RetryPolicy.of(config.retry()), config.maxInFlight(), timer, clock,
                new Outcomes());
        group.gauge(PENDING, delivery::pendingCount);

        int restored = 0;
        for (PendingTriggers state : recovered) {
            for (PendingTrigger t : state.getTriggers()) {
                if (delivery.submit(t)) {
                    restored++;
                }
            }
        }
        if (restored > 0) {
            LOG.info("Restored {} Airflow trigger(s) not yet acknowledged; sending them again to DAG {} "
                    + "(a run that already exists answers 409 and counts as done)", restored, config.dagId());
        }
    }

    @Override
    public void write(DriftAlert alert, Context context) {
        if (!requests.qualifies(alert)) {
            return;
        }
        long alertMillis = alert.getCreatedAt().toEpochMilli();
        latestAlertMillis = Math.max(latestAlertMillis, alertMillis);
        boolean firing = alert.getStatus() == AlertStatus.FIRING;
        if (firing) {
            switch (cooldown.check(alert.getModel(), alert.getAlertId(), alertMillis)) {
                case ALREADY_TRIGGERED -> {
                    duplicates.inc();
                    LOG.info("Alert {} of model {} already triggered DAG {} (replay); not sent again",
                            alert.getAlertId(), alert.getModel(), config.dagId());
                    return;
                }
                case SUPPRESSED -> {
                    suppressed.inc();
                    LOG.info("Retraining trigger for model {} (alert {}) suppressed: the model is in its {} cooldown",
                            alert.getModel(), alert.getAlertId(), Durations.format(config.cooldown()));
                    return;
                }
                case TRIGGER -> {
                    // go on
                }
            }
        }
        PendingTrigger trigger = requests.build(alert, clock.getAsLong());
        if (delivery.pendingCount() >= config.maxPending()) {
            deadLetter(trigger, OVERFLOW, "pending Airflow triggers reached airflow.max-pending ("
                    + config.maxPending() + "); Airflow has not accepted triggers for a while");
            return;
        }
        if (firing) {
            cooldown.start(alert.getModel(), alert.getAlertId(), alertMillis);
        }
        delivery.submit(trigger);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (endOfInput) {
            // A bounded input ends: settle every trigger (delivered or dead-lettered after retry.max-age).
            int n = delivery.pendingCount();
            if (n > 0) {
                LOG.info("End of input: waiting for {} Airflow trigger(s) to be delivered or given up", n);
            }
            delivery.awaitSettled();
        }
        deadLetters.flush();
    }

    @Override
    public List<PendingTriggers> snapshotState(long checkpointId) throws IOException {
        List<PendingTrigger> pending = delivery.pending();
        // After the copy: every trigger missing from it was settled, and its dead letter (if any) published before.
        deadLetters.flush();
        return List.of(new PendingTriggers(pending, cooldown.snapshot(latestAlertMillis)));
    }

    @Override
    public void close() {
        delivery.close();
        timer.shutdownNow();
        client.close();
        deadLetters.close();
    }

    private void deadLetter(PendingTrigger trigger, String reason, String detail) {
        deadLettered.inc();
        String error = credentials.redact(detail);
        LOG.warn("Airflow trigger {} for model {} (alert {}) dead-lettered ({}): {}", trigger.getDagRunId(),
                trigger.getModel(), trigger.getAlertId(), reason, error);
        try {
            deadLetters.publish(DeadLetter.newBuilder()
                    .setRawKey(ByteBuffer.wrap(trigger.getAlertId().getBytes(StandardCharsets.UTF_8)))
                    .setRawValue(ByteBuffer.wrap(trigger.getBody().getBytes(StandardCharsets.UTF_8)))
                    .setTopic(config.deadLetterOrigin())
                    .setPartition(-1)
                    .setOffset(-1L)
                    .setReason(reason)
                    .setError(error)
                    .setRecordedAt(Instant.ofEpochMilli(clock.getAsLong()))
                    .build());
        } catch (RuntimeException e) {
            LOG.error("Could not publish the dead letter of Airflow trigger {}: {}", trigger.getDagRunId(),
                    e.toString());
        }
    }

    /** Counts, logs and dead-letters what the delivery reports, on its threads. */
    private final class Outcomes implements TriggerDelivery.Listener {
        @Override
        public void created(PendingTrigger trigger) {
            created.inc();
            LOG.info("Airflow DAG run {}/{} created for model {} (alert {})", config.dagId(), trigger.getDagRunId(),
                    trigger.getModel(), trigger.getAlertId());
        }

        @Override
        public void duplicate(PendingTrigger trigger, String detail) {
            duplicates.inc();
            LOG.info("Airflow DAG run {}/{} already exists (409), nothing to do: {}", config.dagId(),
                    trigger.getDagRunId(), detail);
        }

        @Override
        public void retrying(PendingTrigger trigger, DeliveryOutcome outcome, Duration delay) {
            retried.inc();
            LOG.warn("Airflow trigger {} attempt {} failed ({}); retrying in {} ms", trigger.getDagRunId(),
                    trigger.getAttempts(), outcome.detail(), delay.toMillis());
        }

        @Override
        public void gaveUp(PendingTrigger trigger, TriggerDelivery.GiveUpReason reason, String detail) {
            deadLetter(trigger, reason.name(), detail);
        }
    }

    /** A counter safe to increment from the delivery threads and the task thread at once. */
    private static final class AtomicCounter implements Counter {
        private final AtomicLong count = new AtomicLong();

        @Override
        public void inc() {
            count.incrementAndGet();
        }

        @Override
        public void inc(long n) {
            count.addAndGet(n);
        }

        @Override
        public void dec() {
            count.decrementAndGet();
        }

        @Override
        public void dec(long n) {
            count.addAndGet(-n);
        }

        @Override
        public long getCount() {
            return count.get();
        }
    }
}
