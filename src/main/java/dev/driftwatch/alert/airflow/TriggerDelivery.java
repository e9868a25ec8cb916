package dev.driftwatch.alert.airflow;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Delivers triggers to Airflow in the background: at most {@code maxInFlight} requests at a time, failed ones
 * again after the {@link RetryPolicy}'s delay, refused or expired ones to the {@link Listener} as dead letters.
 * {@link #submit} never blocks, so Airflow being slow or down never holds up the caller. A trigger stays in
 * {@link #pending()} until its outcome has been handed to the listener, so a snapshot taken at any moment
 * holds every trigger that is not yet settled. Thread-safe.
 */
public final class TriggerDelivery implements AutoCloseable {

    /** Why a trigger was given up. Values are the dead-letter reasons. */
    public enum GiveUpReason {
        /** Airflow refused the request (4xx other than 408/409/429). */
        AIRFLOW_REJECTED,
        /** Retries exhausted (max attempts or max age) while Airflow was down or failing. */
        AIRFLOW_UNREACHABLE
    }

    /** Where outcomes go; called from delivery threads, one call per settled trigger. */
    public interface Listener {
        void created(PendingTrigger trigger);

        void duplicate(PendingTrigger trigger, String detail);

        void retrying(PendingTrigger trigger, DeliveryOutcome outcome, Duration delay);

        void gaveUp(PendingTrigger trigger, GiveUpReason reason, String detail);
    }

    private final Function<PendingTrigger, CompletableFuture<DeliveryOutcome>> send;
    private final RetryPolicy retryPolicy;
    private final int maxInFlight;
    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    private final Listener listener;

    private final Map<String, PendingTrigger> pending = new LinkedHashMap<>();
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    private int inFlight;
    private boolean closed;

    public TriggerDelivery(Function<PendingTrigger, CompletableFuture<DeliveryOutcome>> send, RetryPolicy retryPolicy,
                           int maxInFlight, ScheduledExecutorService timer, LongSupplier clock, Listener listener) {
        this.send = Objects.requireNonNull(send, "send");
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1");
        }
        this.maxInFlight = maxInFlight;
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Queues a trigger for delivery. A trigger whose run id is already pending is ignored (it is the same
     * request). Returns false when it was ignored.
     */
    public boolean submit(PendingTrigger trigger) {
        synchronized (this) {
            if (closed || pending.containsKey(trigger.getDagRunId())) {
                return false;
            }
            pending.put(trigger.getDagRunId(), trigger);
            ready.addLast(trigger.getDagRunId());
        }
        pump();
        return true;
    }

    /** Triggers not yet settled, in the order they were accepted. */
    public synchronized List<PendingTrigger> pending() {
        return new ArrayList<>(pending.values());
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Blocks until every pending trigger is settled (delivered or given up). */
    public synchronized void awaitSettled() throws InterruptedException {
        while (!pending.isEmpty() && !closed) {
            wait();
        }
    }

    private void pump() {
        List<PendingTrigger> toSend = new ArrayList<>();
        synchronized (this) {
            while (!closed && inFlight < maxInFlight && !ready.isEmpty()) {
                PendingTrigger t = pending.get(ready.pollFirst());
                if (t != null) {
                    inFlight++;
                    toSend.add(t);
                }
            }
        }
        for (PendingTrigger t : toSend) {
            PendingTrigger attempt = t.withAttempts(t.getAttempts() + 1);
            CompletableFuture<DeliveryOutcome> future;
            try {
                future = send.apply(attempt);
            } catch (RuntimeException e) {
                future = CompletableFuture.completedFuture(
                        DeliveryOutcome.retryable(0, null, e.getClass().getSimpleName()));
            }
            future.whenComplete((outcome, error) -> settle(attempt, outcome != null ? outcome
                    : DeliveryOutcome.retryable(0, null, String.valueOf(error))));
        }
    }

    private void settle(PendingTrigger attempt, DeliveryOutcome outcome) {
        synchronized (this) {
            inFlight--;
            if (closed) {
                notifyAll();
                return;
            }
            // The attempt count survives in the pending entry (and so in a snapshot) while a retry waits.
            pending.replace(attempt.getDagRunId(), attempt);
        }
        boolean done = true;
        switch (outcome.kind()) {
            case CREATED -> listener.created(attempt);
            case DUPLICATE -> listener.duplicate(attempt, outcome.detail());
            case REJECTED -> listener.gaveUp(attempt, GiveUpReason.AIRFLOW_REJECTED, outcome.detail());
            case RETRYABLE -> {
                Optional<Duration> delay = retryPolicy.nextDelay(attempt.getAttempts(), attempt.getAcceptedAtMillis(),
                        clock.getAsLong(), outcome.retryAfter(), () -> ThreadLocalRandom.current().nextDouble());
                if (delay.isPresent()) {
                    done = false;
                    listener.retrying(attempt, outcome, delay.get());
                    scheduleRetry(attempt.getDagRunId(), delay.get());
                } else {
                    listener.gaveUp(attempt, GiveUpReason.AIRFLOW_UNREACHABLE, "gave up after "
                            + attempt.getAttempts() + " attempts: " + outcome.detail());
                }
            }
        }
        synchronized (this) {
            if (done) {
                pending.remove(attempt.getDagRunId());
            }
            notifyAll();
        }
        pump();
    }

    private void scheduleRetry(String dagRunId, Duration delay) {
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    if (closed || !pending.containsKey(dagRunId)) {
                        return;
                    }
                    ready.addLast(dagRunId);
                }
                pump();
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // closing: the trigger stays pending and is in the last snapshot
        }
    }

    /** Stops sending; pending triggers stay pending (they are in the last snapshot). */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
