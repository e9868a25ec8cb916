package dev.driftwatch.config;

/**
 * A configuration error a user can fix; the message names the key and what is expected. A record's own checks
 * throw it with a key relative to the record ({@link #at}); the binder completes the key with the record's path.
 */
public class ConfigException extends IllegalArgumentException {
    private final String relativeKey;
    private final String problem;

    public ConfigException(String message) {
        super(message);
        this.relativeKey = null;
        this.problem = message;
    }

    private ConfigException(String relativeKey, String problem) {
        super(relativeKey + ": " + problem);
        this.relativeKey = relativeKey;
        this.problem = problem;
    }

    /** An error in the key {@code key} of the record being built, e.g. {@code at("size", "must be positive")}. */
    public static ConfigException at(String key, String problem) {
        return new ConfigException(key, problem);
    }

    /** The key relative to the record that threw it (null when the message holds a full key). */
    String relativeKey() {
        return relativeKey;
    }

    /** What is wrong, without the key. */
    String problem() {
        return problem;
    }

    /** This error with its key placed under {@code section} ("window" + "size" -> "window.size"). */
    ConfigException under(String section) {
        if (relativeKey == null || section.isEmpty()) {
            return this;
        }
        ConfigException e = new ConfigException(section + "." + relativeKey, problem);
        e.setStackTrace(getStackTrace());
        return e;
    }
}
