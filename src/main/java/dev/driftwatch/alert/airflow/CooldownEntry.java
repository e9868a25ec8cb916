package dev.driftwatch.alert.airflow;

import java.util.Objects;

/** The alert that started a model's current cooldown and when (its created_at, epoch millis). */
public final class CooldownEntry {
    private final String alertId;
    private final long startedAtMillis;

    public CooldownEntry(String alertId, long startedAtMillis) {
        this.alertId = Objects.requireNonNull(alertId, "alertId");
        this.startedAtMillis = startedAtMillis;
    }

    public String getAlertId() {
        return alertId;
    }

    public long getStartedAtMillis() {
        return startedAtMillis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CooldownEntry e && e.alertId.equals(alertId) && e.startedAtMillis == startedAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertId, startedAtMillis);
    }

    @Override
    public String toString() {
        return "CooldownEntry{" + alertId + " at " + startedAtMillis + "}";
    }
}
