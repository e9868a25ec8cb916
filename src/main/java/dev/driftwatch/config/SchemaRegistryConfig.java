package dev.driftwatch.config;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;

/**
 * Where the Schema Registry is and how to talk to it, the job config's {@code kafka.schema-registry} section: used
 * when {@code kafka.format}, {@code kafka.alerts-format} or {@code kafka.results-format} is {@code schema-registry}.
 * Any server of Confluent's REST API serves (Confluent, Apicurio's {@code /apis/ccompat/v7}, Redpanda, Karapace).
 * Like the airflow section it names the environment variables or files that hold the credentials, never the
 * credentials, so the config and the job graph can be shown and shipped. docs/configuration.md documents every key.
 */
public record SchemaRegistryConfig(
        @Required URI url,
        String username,
        String usernameEnv,
        String usernameFile,
        String passwordEnv,
        String passwordFile,
        String trustStorePath,
        String trustStoreType,
        String trustStorePasswordEnv,
        @Default("2s") Duration connectTimeout,
        @Default("5s") Duration requestTimeout,
        @Default("1000") int cacheSize,
        @Default("30s") Duration negativeCacheTtl,
        @Default("true") boolean autoRegister) implements Serializable {

    /** Prefix of every key in error messages. */
    public static final String PREFIX = "kafka.schema-registry.";

    public SchemaRegistryConfig {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw ConfigException.at("url", "expected http(s)://host[:port][/path], e.g. http://schema-registry:8081");
        }
        if (url.getRawUserInfo() != null) {
            // never echo the URL: its user info may hold a password
            throw ConfigException.at("url", "must not contain credentials (user:password@); use username and"
                    + " password-env or password-file");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw ConfigException.at("url", "must not have a query or fragment");
        }
        if (url.toString().endsWith("/")) {
            url = URI.create(url.toString().replaceAll("/+$", ""));
        }
        int usernames = count(username, usernameEnv, usernameFile);
        int passwords = count(passwordEnv, passwordFile);
        if (usernames > 1) {
            throw ConfigException.at("username", "give at most one of username, username-env or username-file");
        }
        if (passwords > 1) {
            throw ConfigException.at("password-env", "give at most one of password-env or password-file");
        }
        if (usernames != passwords) {
            throw usernames == 0
                    ? ConfigException.at("username", "basic auth needs a user name too (username, username-env or"
                            + " username-file), or leave out password-env and password-file")
                    : ConfigException.at("password-env", "basic auth needs a password too (password-env or"
                            + " password-file), or leave out the user name");
        }
        if (trustStorePath == null && (trustStorePasswordEnv != null || trustStoreType != null)) {
            throw ConfigException.at("trust-store-path", "required when trust-store-password-env or trust-store-type is set");
        }
        if (trustStorePath != null && !"https".equalsIgnoreCase(url.getScheme())) {
            throw ConfigException.at("trust-store-path", "only used with an https url, but url is " + url);
        }
        Checks.positive("connect-timeout", connectTimeout);
        Checks.positive("request-timeout", requestTimeout);
        Checks.between("cache-size", cacheSize, 1, 1_000_000);
        Checks.positive("negative-cache-ttl", negativeCacheTtl);
    }

    /** A section with only a URL: no auth, the JVM's trust store, every other key at its default. */
    public static SchemaRegistryConfig of(URI url) {
        return ConfigBinder.bind("kafka.schema-registry", SchemaRegistryConfig.class,
                java.util.Map.of("url", url.toString())).value();
    }

    /** Whether the section names credentials (basic auth on every request). */
    public boolean hasCredentials() {
        return passwordEnv != null || passwordFile != null;
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
