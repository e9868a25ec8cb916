package dev.driftwatch.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Older names of a config key, still read with a warning that names the new key. An alias ending in {@code _ms}
 * of a duration key takes a number of milliseconds.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Alias {
    String[] value();
}
