package dev.driftwatch.alert.airflow;

import java.time.Duration;

/**
 * What one attempt to start a DAG run came to.
 *
 * @param kind the class of outcome
 * @param status the HTTP status, or 0 when no response came (connection error, timeout)
 * @param retryAfter the server's Retry-After, or null
 * @param detail Airflow's error detail or the transport error, with credentials removed; empty on success
 */
public record DeliveryOutcome(Kind kind, int status, Duration retryAfter, String detail) {

    /** The classes of outcome the sink acts on. */
    public enum Kind {
        /** Airflow created the run (200). */
        CREATED,
        /** The run already exists (409): a retry or replay of a trigger that got through before. */
        DUPLICATE,
        /** Worth another try: no response, timeout, 408, 429 or 5xx. */
        RETRYABLE,
        /** Airflow refused the request (400, 401, 403, 404, 422, ...): retrying would not help. */
        REJECTED
    }

    static DeliveryOutcome created(int status) {
        return new DeliveryOutcome(Kind.CREATED, status, null, "");
    }

    static DeliveryOutcome duplicate(String detail) {
        return new DeliveryOutcome(Kind.DUPLICATE, 409, null, detail);
    }

    static DeliveryOutcome retryable(int status, Duration retryAfter, String detail) {
        return new DeliveryOutcome(Kind.RETRYABLE, status, retryAfter, detail);
    }

    static DeliveryOutcome rejected(int status, String detail) {
        return new DeliveryOutcome(Kind.REJECTED, status, null, detail);
    }
}
