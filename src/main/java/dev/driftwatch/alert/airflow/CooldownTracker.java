package dev.driftwatch.alert.airflow;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-model cooldown of retraining triggers: after a model's retraining DAG was started, no new one starts for
 * that model until the cooldown has passed, so a model that flaps between FIRING and RESOLVED does not queue
 * a retrain per flap. Time is the alert's own emission time ({@code created_at}), not the wall clock, so a
 * restart that replays alerts decides exactly as the first run did. Not thread-safe; the sink writer owns it.
 */
public final class CooldownTracker {

    /** What {@link #tryAcquire} decided. */
    public enum Decision {
        /** No cooldown for the model: trigger, and the cooldown starts now. */
        TRIGGER,
        /** The same alert that started the current cooldown, seen again (a replay): already triggered. */
        ALREADY_TRIGGERED,
        /** Another alert inside the model's cooldown: suppress. */
        SUPPRESSED
    }

    private final Duration cooldown;
    private final Map<String, CooldownEntry> byModel;

    public CooldownTracker(Duration cooldown, Map<String, CooldownEntry> restored) {
        this.cooldown = Objects.requireNonNull(cooldown, "cooldown");
        this.byModel = new HashMap<>(restored);
    }

    /** Decides for a FIRING alert of model at nowMillis, without changing anything. */
    public Decision check(String model, String alertId, long nowMillis) {
        CooldownEntry last = byModel.get(model);
        if (last != null) {
            if (last.getAlertId().equals(alertId)) {
                return Decision.ALREADY_TRIGGERED;
            }
            if (nowMillis - last.getStartedAtMillis() < cooldown.toMillis()) {
                return Decision.SUPPRESSED;
            }
        }
        return Decision.TRIGGER;
    }

    /** Starts the model's cooldown: the alert triggered at nowMillis. */
    public void start(String model, String alertId, long nowMillis) {
        byModel.put(model, new CooldownEntry(alertId, nowMillis));
    }

    /** {@link #check}, and {@link #start} when it says TRIGGER. */
    public Decision tryAcquire(String model, String alertId, long nowMillis) {
        Decision d = check(model, alertId, nowMillis);
        if (d == Decision.TRIGGER) {
            start(model, alertId, nowMillis);
        }
        return d;
    }

    /**
     * The entries to checkpoint. Entries older than the cooldown are dropped, except the newest one per model
     * is always kept while younger than twice the cooldown, so that a replay of the alert that started it is
     * still recognised for a while; state stays bounded by the number of recently active models.
     */
    public Map<String, CooldownEntry> snapshot(long nowMillis) {
        byModel.values().removeIf(e -> nowMillis - e.getStartedAtMillis() >= 2 * Math.max(cooldown.toMillis(), 1));
        return new HashMap<>(byModel);
    }

    /** The current cooldown entry of each model. */
    public Map<String, CooldownEntry> entries() {
        return new HashMap<>(byModel);
    }
}
