package dev.driftwatch.alert.airflow;

import java.util.Objects;

/**
 * One DAG-run trigger on its way to Airflow: the request body (JSON, without any credential), what it is
 * for, when it was accepted and how many attempts were made. Immutable; part of the sink's checkpointed state.
 */
public final class PendingTrigger {
    private final String dagRunId;
    private final String alertId;
    private final String model;
    private final String body;
    private final long acceptedAtMillis;
    private final int attempts;

    public PendingTrigger(String dagRunId, String alertId, String model, String body, long acceptedAtMillis,
                          int attempts) {
        this.dagRunId = Objects.requireNonNull(dagRunId, "dagRunId");
        this.alertId = Objects.requireNonNull(alertId, "alertId");
        this.model = Objects.requireNonNull(model, "model");
        this.body = Objects.requireNonNull(body, "body");
        this.acceptedAtMillis = acceptedAtMillis;
        this.attempts = attempts;
    }

    public String getDagRunId() {
        return dagRunId;
    }

    public String getAlertId() {
        return alertId;
    }

    public String getModel() {
        return model;
    }

    /** The JSON body of the POST to dagRuns. */
    public String getBody() {
        return body;
    }

    public long getAcceptedAtMillis() {
        return acceptedAtMillis;
    }

    public int getAttempts() {
        return attempts;
    }

    PendingTrigger withAttempts(int newAttempts) {
        return new PendingTrigger(dagRunId, alertId, model, body, acceptedAtMillis, newAttempts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PendingTrigger p && p.dagRunId.equals(dagRunId) && p.alertId.equals(alertId)
                && p.model.equals(model) && p.body.equals(body) && p.acceptedAtMillis == acceptedAtMillis
                && p.attempts == attempts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dagRunId, alertId, model, body, acceptedAtMillis, attempts);
    }

    @Override
    public String toString() {
        return "PendingTrigger{" + dagRunId + ", model=" + model + ", attempts=" + attempts + "}";
    }
}
