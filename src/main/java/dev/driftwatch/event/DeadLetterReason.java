package dev.driftwatch.event;

/** Why a record went to the dead-letter topic; the names are public (DeadLetter.reason, metric labels). */
public enum DeadLetterReason {
    /** Not Avro of any known InferenceEvent version (bad header, truncated, garbage). */
    UNDECODABLE,
    /** Single-object encoded with a fingerprint of no shipped InferenceEvent schema. */
    UNKNOWN_SCHEMA,
    /** Decoded, but a required field is empty or out of range. */
    INVALID,
    /** More features than sampling.max-features. */
    TOO_MANY_FEATURES,
    /** Arrived after the watermark passed its pane: its window was already evaluated. */
    LATE,
    /** Airflow rejected the retraining trigger (4xx). */
    AIRFLOW_REJECTED,
    /** Too many undelivered triggers pending while Airflow was unreachable. */
    AIRFLOW_OVERFLOW
}
