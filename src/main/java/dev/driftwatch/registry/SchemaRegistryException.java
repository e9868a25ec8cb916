package dev.driftwatch.registry;

/**
 * Why the Schema Registry gave no usable schema or id. The message names the request and the registry's answer,
 * never the credentials.
 */
public final class SchemaRegistryException extends Exception {
    /** What went wrong, which decides what a caller does next. */
    public enum Kind {
        /** The registry does not know the schema id (HTTP 404, error code 40403), or the subject or schema. */
        NOT_FOUND,
        /** The id names a schema that is not Avro, or that cannot be parsed; an id never changes, so neither will this. */
        INVALID_SCHEMA,
        /** The registry refused to register the schema (incompatible with the subject, HTTP 409 or 422). */
        REJECTED,
        /** No answer: unreachable, timed out, an error status (5xx, 429, 401, 403), or an answer that is not JSON. */
        UNAVAILABLE
    }

    private final Kind kind;

    public SchemaRegistryException(Kind kind, String message) {
        // no stack trace: these are outcomes of a lookup, cached and rethrown, never bugs
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
