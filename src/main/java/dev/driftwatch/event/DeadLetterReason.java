package dev.driftwatch.event;

/** Why a record went to the dead-letter topic; the names are public (DeadLetter.reason, metric labels). */
public enum DeadLetterReason {
    /** Not Avro of any known InferenceEvent version (bad header, truncated, garbage). */
    UNDECODABLE,
    /**
     * The writer schema is unknown: a single-object fingerprint of no shipped InferenceEvent schema, or a Schema
     * Registry id the registry does not know.
     */
    UNKNOWN_SCHEMA,
    /**
     * The Schema Registry gives the id a schema that cannot be read as an InferenceEvent (Avro's schema resolution
     * rules), that is not Avro, or that is not valid.
     */
    INCOMPATIBLE_SCHEMA,
    /**
     * The Schema Registry could not be asked about a schema id not seen before: unreachable, timed out, or answering
     * an error (5xx, 401, 403). The raw bytes are kept, so the record can be replayed once the registry is back.
     */
    SCHEMA_REGISTRY_UNAVAILABLE,
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
