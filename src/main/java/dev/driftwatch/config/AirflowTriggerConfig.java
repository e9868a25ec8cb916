package dev.driftwatch.config;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the Airflow retraining trigger, the job config's {@code airflow:} section: where Airflow is, which
 * DAG to start, which alerts start it, and how hard to try. Holds the names of the environment variables or files
 * that contain the credentials, never the credentials themselves, so the job graph and its config can be shown and
 * shipped safely. docs/configuration.md documents every key.
 */
public record AirflowTriggerConfig(
        @Required URI baseUrl,
        @Required ApiVersion apiVersion,
        @Required String dagId,
        @Default("firing") TriggerOn triggerOn,
        String username,
        String usernameEnv,
        String usernameFile,
        String passwordEnv,
        String passwordFile,
        @Default("6h") Duration cooldown,
        @Default("4") int maxInFlight,
        @Default("10000") int maxPending,
        @Default("10s") Duration connectTimeout,
        @Default("30s") Duration requestTimeout,
        Retry retry,
        LogicalDate logicalDate,
        String trustStorePath,
        String trustStorePasswordEnv,
        String trustStoreType)
        implements Serializable {

    /** Prefix of every key in error messages: the keys live under the job config's {@code airflow:} section. */
    public static final String PREFIX = "airflow.";

    /** The Airflow REST API generation: Airflow 2 serves {@code /api/v1}, Airflow 3 serves {@code /api/v2}. */
    public enum ApiVersion implements ConfigChoice {
        /** Airflow 2.x, {@code /api/v1}, basic auth. */
        AIRFLOW_2("v1"),
        /** Airflow 3.x, {@code /api/v2}, bearer token from {@code /auth/token}. */
        AIRFLOW_3("v2");

        private final String pathVersion;

        ApiVersion(String pathVersion) {
            this.pathVersion = pathVersion;
        }

        /** The version segment of the REST path, {@code v1} or {@code v2}. */
        public String pathVersion() {
            return pathVersion;
        }

        @Override
        public List<String> configNames() {
            return this == AIRFLOW_2 ? List.of("2", "v1") : List.of("3", "v2");
        }
    }

    /** Which alerts start a DAG run. */
    public enum TriggerOn {
        /** Every FIRING alert. */
        FIRING,
        /** FIRING and RESOLVED alerts; the DAG tells them apart by {@code conf.status}. */
        FIRING_AND_RESOLVED,
        /** Only FIRING alerts of severity CRITICAL, i.e. dataset-level drift. */
        DATASET_DRIFT_ONLY
    }

    /** What the trigger sends as {@code logical_date}. */
    public enum LogicalDate {
        /** The alert window's end (plus a sub-second offset derived from the alert id), same on every replay. */
        WINDOW_END,
        /** JSON null: Airflow 3 then runs without a logical date (not accepted as meaningful by Airflow 2, which uses now). */
        NONE
    }

    /** How long and how often a failed trigger is retried ({@code airflow.retry}). */
    public record Retry(@Default("1s") Duration initialBackoff, @Default("5m") Duration maxBackoff,
                        @Default("0") int maxAttempts, @Default("24h") Duration maxAge) implements Serializable {
        public Retry {
            Checks.positive("initial-backoff", initialBackoff);
            Checks.positive("max-backoff", maxBackoff);
            Checks.positive("max-age", maxAge);
            Checks.atLeast("max-attempts", maxAttempts, 0);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw ConfigException.at("max-backoff", Durations.format(maxBackoff) + " is shorter than initial-backoff "
                        + Durations.format(initialBackoff));
            }
        }
    }

    public AirflowTriggerConfig {
        String scheme = baseUrl.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || baseUrl.getHost() == null) {
            throw ConfigException.at("base-url", "expected http(s)://host[:port][/path], e.g. http://airflow:8080");
        }
        if (baseUrl.getRawUserInfo() != null) {
            // never echo the URL: its user info may hold a password
            throw ConfigException.at("base-url", "must not contain credentials (user:password@); use username-env"
                    + " and password-env");
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw ConfigException.at("base-url", "must not have a query or fragment");
        }
        if (baseUrl.toString().endsWith("/")) {
            baseUrl = URI.create(baseUrl.toString().replaceAll("/+$", ""));
        }
        if (!dagId.matches("[A-Za-z0-9_.\\-]+")) {
            throw ConfigException.at("dag-id", "'" + dagId + "' is not a valid Airflow DAG id (letters, digits, '_', '.', '-')");
        }
        int usernames = count(username, usernameEnv, usernameFile);
        if (usernames != 1) {
            throw ConfigException.at("username", "give exactly one of username, username-env or username-file (found "
                    + usernames + ")");
        }
        if (count(passwordEnv, passwordFile) != 1) {
            throw ConfigException.at("password-env", "give exactly one of password-env (an environment variable's name)"
                    + " or password-file (a file's path)");
        }
        Checks.positive("connect-timeout", connectTimeout);
        Checks.positive("request-timeout", requestTimeout);
        Checks.atLeast("max-in-flight", maxInFlight, 1);
        Checks.atLeast("max-pending", maxPending, 1);
        if (cooldown.isNegative()) {
            throw ConfigException.at("cooldown", "must be zero or positive, got " + Durations.format(cooldown));
        }
        if (retry == null) {
            retry = new Retry(Duration.ofSeconds(1), Duration.ofMinutes(5), 0, Duration.ofHours(24));
        }
        if (logicalDate == null) {
            logicalDate = apiVersion == ApiVersion.AIRFLOW_2 ? LogicalDate.WINDOW_END : LogicalDate.NONE;
        }
        if (trustStorePath == null && (trustStorePasswordEnv != null || trustStoreType != null)) {
            throw ConfigException.at("trust-store-path", "required when trust-store-password-env or trust-store-type is set");
        }
        if (trustStorePath != null && !"https".equalsIgnoreCase(baseUrl.getScheme())) {
            throw ConfigException.at("trust-store-path", "only used with an https base-url, but base-url is " + baseUrl);
        }
    }

    /**
     * Reads and validates an {@code airflow:} section as YAML gives it. Nested maps ({@code retry: {max-age: 1h}})
     * and dotted keys ({@code retry.max-age: 1h}) are both accepted.
     *
     * @throws ConfigException naming the offending key (e.g. {@code airflow.password-env: ...}) and the fix
     */
    public static AirflowTriggerConfig fromMap(Map<String, ?> yaml) {
        return ConfigBinder.bind("airflow", AirflowTriggerConfig.class, yaml).value();
    }

    /** A copy with another base URL (tests point the same settings at a different server). */
    public AirflowTriggerConfig withBaseUrl(URI newBaseUrl) {
        return new AirflowTriggerConfig(newBaseUrl, apiVersion, dagId, triggerOn, username, usernameEnv, usernameFile,
                passwordEnv, passwordFile, cooldown, maxInFlight, maxPending, connectTimeout, requestTimeout, retry,
                logicalDate, trustStorePath, trustStorePasswordEnv, trustStoreType);
    }

    /** {@code airflow:<dag_id>}: the "topic" that Airflow dead letters name as their origin. */
    public String deadLetterOrigin() {
        return "airflow:" + dagId;
    }

    private static int count(Object... values) {
        int n = 0;
        for (Object v : values) {
            if (v != null) {
                n++;
            }
        }
        return n;
    }
}
