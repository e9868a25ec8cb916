package dev.driftwatch.alert.airflow;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of the Airflow retraining trigger: where Airflow is, which DAG to start, which alerts start it,
 * and how hard to try. Holds the names of the environment variables or files that contain the credentials,
 * never the credentials themselves, so the job graph and its config can be shown and shipped safely.
 * Built from the job's YAML {@code airflow:} section by {@link #fromMap(Map)}; every key is in README.md (Airflow retraining trigger).
 */
public record AirflowTriggerConfig(
        URI baseUrl,
        ApiVersion apiVersion,
        String dagId,
        TriggerOn triggerOn,
        String username,
        String usernameEnv,
        String usernameFile,
        String passwordEnv,
        String passwordFile,
        Duration cooldown,
        int maxInFlight,
        int maxPending,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        int retryMaxAttempts,
        Duration retryMaxAge,
        LogicalDate logicalDate,
        String trustStorePath,
        String trustStorePasswordEnv,
        String trustStoreType)
        implements Serializable {

    /** Prefix of every key in error messages: the keys live under the job config's {@code airflow:} section. */
    public static final String PREFIX = "airflow.";

    public static final Duration DEFAULT_COOLDOWN = Duration.ofHours(6);
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;
    public static final int DEFAULT_MAX_PENDING = 10_000;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofMinutes(5);
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 0;
    public static final Duration DEFAULT_RETRY_MAX_AGE = Duration.ofHours(24);

    /** The Airflow REST API generation: Airflow 2 serves {@code /api/v1}, Airflow 3 serves {@code /api/v2}. */
    public enum ApiVersion {
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

    private static final Set<String> KEYS = Set.of(
            "base-url", "api-version", "dag-id", "trigger-on",
            "username", "username-env", "username-file", "password-env", "password-file",
            "cooldown", "max-in-flight", "max-pending", "connect-timeout", "request-timeout",
            "retry.initial-backoff", "retry.max-backoff", "retry.max-attempts", "retry.max-age",
            "logical-date", "trust-store-path", "trust-store-password-env", "trust-store-type");

    private static final Set<String> SECRET_KEYS = Set.of("password", "token", "access-token", "trust-store-password");

    public AirflowTriggerConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(dagId, "dagId");
        Objects.requireNonNull(triggerOn, "triggerOn");
        Objects.requireNonNull(cooldown, "cooldown");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
        Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
        Objects.requireNonNull(retryMaxAge, "retryMaxAge");
        Objects.requireNonNull(logicalDate, "logicalDate");
    }

    /**
     * Reads and validates the {@code airflow:} section. Nested maps ({@code retry: {max-age: 1h}}) and dotted
     * keys ({@code retry.max-age: 1h}) are both accepted; a key may carry the {@code airflow.} prefix.
     *
     * @throws IllegalArgumentException naming the offending key (e.g. {@code airflow.password-env: ...}) and the fix
     */
    public static AirflowTriggerConfig fromMap(Map<String, ?> raw) {
        Objects.requireNonNull(raw, "airflow config");
        Map<String, Object> m = new LinkedHashMap<>();
        flatten("", raw, m);
        for (String key : m.keySet()) {
            if (SECRET_KEYS.contains(key)) {
                // Never echo the value: it is a secret that should not be in the config at all.
                throw new IllegalArgumentException(PREFIX + key + ": secrets are not accepted in the config; name an "
                        + "environment variable (" + PREFIX + key + "-env) or a file (" + PREFIX + key + "-file) instead");
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(PREFIX + key + ": unknown key; known keys are " + new java.util.TreeSet<>(KEYS));
            }
        }

        URI baseUrl = parseBaseUrl(requiredString(m, "base-url"));
        ApiVersion apiVersion = parseApiVersion(m.get("api-version"));
        String dagId = requiredString(m, "dag-id");
        if (!dagId.matches("[A-Za-z0-9_.\\-]+")) {
            throw new IllegalArgumentException(PREFIX + "dag-id: '" + dagId
                    + "' is not a valid Airflow DAG id (letters, digits, '_', '.', '-')");
        }
        TriggerOn triggerOn = parseEnum(m, "trigger-on", TriggerOn.class, TriggerOn.FIRING);

        String username = optionalString(m, "username");
        String usernameEnv = optionalString(m, "username-env");
        String usernameFile = optionalString(m, "username-file");
        int usernameSources = count(username, usernameEnv, usernameFile);
        if (usernameSources != 1) {
            throw new IllegalArgumentException(PREFIX + "username: give exactly one of " + PREFIX + "username, "
                    + PREFIX + "username-env or " + PREFIX + "username-file (found " + usernameSources + ")");
        }
        String passwordEnv = optionalString(m, "password-env");
        String passwordFile = optionalString(m, "password-file");
        if (count(passwordEnv, passwordFile) != 1) {
            throw new IllegalArgumentException(PREFIX + "password-env: give exactly one of " + PREFIX
                    + "password-env (an environment variable's name) or " + PREFIX + "password-file (a file's path)");
        }

        Duration cooldown = duration(m, "cooldown", DEFAULT_COOLDOWN, true);
        int maxInFlight = positiveInt(m, "max-in-flight", DEFAULT_MAX_IN_FLIGHT, 1);
        int maxPending = positiveInt(m, "max-pending", DEFAULT_MAX_PENDING, 1);
        Duration connectTimeout = duration(m, "connect-timeout", DEFAULT_CONNECT_TIMEOUT, false);
        Duration requestTimeout = duration(m, "request-timeout", DEFAULT_REQUEST_TIMEOUT, false);
        Duration initialBackoff = duration(m, "retry.initial-backoff", DEFAULT_RETRY_INITIAL_BACKOFF, false);
        Duration maxBackoff = duration(m, "retry.max-backoff", DEFAULT_RETRY_MAX_BACKOFF, false);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(PREFIX + "retry.max-backoff: " + maxBackoff
                    + " is shorter than " + PREFIX + "retry.initial-backoff " + initialBackoff);
        }
        int maxAttempts = positiveInt(m, "retry.max-attempts", DEFAULT_RETRY_MAX_ATTEMPTS, 0);
        Duration maxAge = duration(m, "retry.max-age", DEFAULT_RETRY_MAX_AGE, false);
        LogicalDate logicalDate = parseEnum(m, "logical-date", LogicalDate.class,
                apiVersion == ApiVersion.AIRFLOW_2 ? LogicalDate.WINDOW_END : LogicalDate.NONE);

        String trustStorePath = optionalString(m, "trust-store-path");
        String trustStorePasswordEnv = optionalString(m, "trust-store-password-env");
        String trustStoreType = optionalString(m, "trust-store-type");
        if (trustStorePath == null && (trustStorePasswordEnv != null || trustStoreType != null)) {
            throw new IllegalArgumentException(PREFIX + "trust-store-path: required when " + PREFIX
                    + "trust-store-password-env or " + PREFIX + "trust-store-type is set");
        }
        if (trustStorePath != null && !"https".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException(PREFIX + "trust-store-path: only used with an https base-url, but "
                    + PREFIX + "base-url is " + baseUrl);
        }

        return new AirflowTriggerConfig(baseUrl, apiVersion, dagId, triggerOn, username, usernameEnv, usernameFile,
                passwordEnv, passwordFile, cooldown, maxInFlight, maxPending, connectTimeout, requestTimeout,
                initialBackoff, maxBackoff, maxAttempts, maxAge, logicalDate, trustStorePath, trustStorePasswordEnv,
                trustStoreType);
    }

    /** The retry settings as a policy. */
    public RetryPolicy retryPolicy() {
        return new RetryPolicy(retryInitialBackoff, retryMaxBackoff, retryMaxAttempts, retryMaxAge);
    }

    /** A copy with another base URL (tests point the same settings at a different server). */
    public AirflowTriggerConfig withBaseUrl(URI newBaseUrl) {
        return new AirflowTriggerConfig(newBaseUrl, apiVersion, dagId, triggerOn, username, usernameEnv, usernameFile,
                passwordEnv, passwordFile, cooldown, maxInFlight, maxPending, connectTimeout, requestTimeout,
                retryInitialBackoff, retryMaxBackoff, retryMaxAttempts, retryMaxAge, logicalDate, trustStorePath,
                trustStorePasswordEnv, trustStoreType);
    }

    /** {@code airflow:<dag_id>}: the "topic" that Airflow dead letters name as their origin. */
    public String deadLetterOrigin() {
        return "airflow:" + dagId;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, ?> in, Map<String, Object> out) {
        for (Map.Entry<String, ?> e : in.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (prefix.isEmpty() && key.startsWith(PREFIX)) {
                key = key.substring(PREFIX.length());
            }
            String full = prefix + key;
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(full + ".", (Map<String, ?>) nested, out);
            } else {
                out.put(full, e.getValue());
            }
        }
    }

    private static URI parseBaseUrl(String value) {
        URI uri;
        try {
            uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "base-url: not a URL (" + e.getReason()
                    + "); expected e.g. http://airflow:8080");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "base-url: expected http(s)://host[:port][/path], e.g. "
                    + "http://airflow:8080");
        }
        if (uri.getRawUserInfo() != null) {
            // Do not echo the URL: its user info may hold a password.
            throw new IllegalArgumentException(PREFIX + "base-url: must not contain credentials (user:password@); "
                    + "use " + PREFIX + "username-env and " + PREFIX + "password-env");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(PREFIX + "base-url: must not have a query or fragment");
        }
        return uri;
    }

    private static ApiVersion parseApiVersion(Object value) {
        if (value == null) {
            throw new IllegalArgumentException(PREFIX + "api-version: required; 2 for Airflow 2 (/api/v1) or "
                    + "3 for Airflow 3 (/api/v2)");
        }
        switch (String.valueOf(value).trim().toLowerCase(Locale.ROOT)) {
            case "2", "v1":
                return ApiVersion.AIRFLOW_2;
            case "3", "v2":
                return ApiVersion.AIRFLOW_3;
            default:
                throw new IllegalArgumentException(PREFIX + "api-version: '" + value + "' is not supported; use 2 "
                        + "for Airflow 2 (/api/v1) or 3 for Airflow 3 (/api/v2)");
        }
    }

    private static <E extends Enum<E>> E parseEnum(Map<String, Object> m, String key, Class<E> type, E fallback) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        String name = String.valueOf(value).trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException(PREFIX + key + ": '" + value + "' is not one of " + allowed);
        }
    }

    private static String requiredString(Map<String, Object> m, String key) {
        String value = optionalString(m, key);
        if (value == null) {
            throw new IllegalArgumentException(PREFIX + key + ": required");
        }
        return value;
    }

    private static String optionalString(Map<String, Object> m, String key) {
        Object value = m.get(key);
        if (value == null) {
            return null;
        }
        String s = String.valueOf(value).trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + key + ": must not be empty (leave the key out instead)");
        }
        return s;
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

    private static int positiveInt(Map<String, Object> m, String key, int fallback, int min) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        int n;
        if (value instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.intValue();
        } else {
            try {
                n = Integer.parseInt(String.valueOf(value).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PREFIX + key + ": '" + value + "' is not a whole number");
            }
        }
        if (n < min) {
            throw new IllegalArgumentException(PREFIX + key + ": must be at least " + min + ", got " + n);
        }
        return n;
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private static Duration duration(Map<String, Object> m, String key, Duration fallback, boolean zeroAllowed) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        Duration d = parseDuration(key, value);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(PREFIX + key + ": must be " + (zeroAllowed ? "zero or " : "")
                    + "positive, got " + value);
        }
        return d;
    }

    /** Accepts {@code 500ms}, {@code 30s}, {@code 5m}, {@code 6h}, {@code 1d}, ISO-8601 ({@code PT6H}) and {@code 0}. */
    static Duration parseDuration(String key, Object value) {
        if (value instanceof Duration d) {
            return d;
        }
        String s = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = SIMPLE_DURATION.matcher(s);
        if (matcher.matches()) {
            long n = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(PREFIX + key + ": '" + value
                    + "' is not a duration; use e.g. 500ms, 30s, 5m, 6h, 1d or PT6H");
        }
    }
}
