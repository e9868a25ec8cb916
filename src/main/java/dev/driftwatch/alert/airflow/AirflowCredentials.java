package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import dev.driftwatch.config.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;

/**
 * The user name and password the trigger authenticates with, read on the task manager from the environment
 * variables or files that {@link AirflowTriggerConfig} names. Its {@link #toString()} is redacted, it is not
 * Serializable (it never travels in the job graph or in state), and {@link #redact(String)} scrubs the
 * secrets from any text (such as an error body) before it reaches a log, a metric or a dead letter.
 */
public final class AirflowCredentials {
    private static final String MASK = "***";

    private final String username;
    private final String password;

    public AirflowCredentials(String username, String password) {
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("empty Airflow password");
        }
    }

    /** Loads from the process environment and the file system as the config says. */
    public static AirflowCredentials load(AirflowTriggerConfig config) {
        return load(config, System::getenv);
    }

    /**
     * Loads with the given environment lookup (tests pass a map). A file's content is trimmed of its trailing
     * newline, as secrets mounted by Kubernetes or written by {@code echo} usually end with one.
     *
     * @throws IllegalArgumentException naming the config key and the variable or file, never the value
     */
    public static AirflowCredentials load(AirflowTriggerConfig config, Function<String, String> env) {
        String username;
        if (config.username() != null) {
            username = config.username();
        } else if (config.usernameEnv() != null) {
            username = fromEnv(env, "username-env", config.usernameEnv());
        } else {
            username = fromFile("username-file", config.usernameFile());
        }
        String password = config.passwordEnv() != null
                ? fromEnv(env, "password-env", config.passwordEnv())
                : fromFile("password-file", config.passwordFile());
        return new AirflowCredentials(username, password);
    }

    /** Reads a trust store password from the named environment variable; null when none is named. */
    static char[] trustStorePassword(AirflowTriggerConfig config, Function<String, String> env) {
        if (config.trustStorePasswordEnv() == null) {
            return null;
        }
        return fromEnv(env, "trust-store-password-env", config.trustStorePasswordEnv()).toCharArray();
    }

    private static String fromEnv(Function<String, String> env, String key, String variable) {
        return Secrets.fromEnv(AirflowTriggerConfig.PREFIX + key, variable, env);
    }

    private static String fromFile(String key, String file) {
        return Secrets.fromFile(AirflowTriggerConfig.PREFIX + key, file);
    }

    public String username() {
        return username;
    }

    /** The password, for building a request; never log or store what this returns. */
    String password() {
        return password;
    }

    /** {@code Basic base64(user:password)} for Airflow 2's basic auth backend. */
    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The text with the password, its basic-auth form and any of the given tokens replaced by {@code ***}.
     * Null stays null.
     */
    public String redact(String text, String... tokens) {
        if (text == null) {
            return null;
        }
        String out = text.replace(password, MASK);
        String basic = basicAuthorization().substring("Basic ".length());
        out = out.replace(basic, MASK);
        for (String token : tokens) {
            if (token != null && !token.isEmpty()) {
                out = out.replace(token, MASK);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "AirflowCredentials{username=" + username + ", password=" + MASK + "}";
    }
}
