package dev.driftwatch.config;

/** A configuration error a user can fix; the message names the key and what is expected. */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
