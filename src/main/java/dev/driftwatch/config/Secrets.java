package dev.driftwatch.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the secrets that config sections name (an environment variable or a file, never the value itself) and the
 * trust stores they point at, on the TaskManager that needs them. Shared by every client that talks to a server
 * with credentials (Airflow, the Schema Registry). Every error names the config key and the variable or file,
 * never the secret.
 */
public final class Secrets {
    private Secrets() {}

    /**
     * The value of an environment variable named by config key {@code key}.
     *
     * @throws IllegalArgumentException when it is not set or empty
     */
    public static String fromEnv(String key, String variable, Function<String, String> env) {
        String value = env.apply(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(key + ": environment variable " + variable
                    + " is not set or empty on this task manager");
        }
        return value;
    }

    /**
     * The content of a file named by config key {@code key}, without its trailing newline (secrets mounted by
     * Kubernetes or written by {@code echo} usually end with one).
     *
     * @throws IllegalArgumentException when it cannot be read or is empty
     */
    public static String fromFile(String key, String file) {
        String value;
        try {
            value = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        value = value.stripTrailing();
        if (value.isEmpty()) {
            throw new IllegalArgumentException(key + ": " + file + " is empty");
        }
        return value;
    }

    /**
     * A TLS context that trusts the certificates of one trust store file (and only those).
     *
     * @param key the config key of the store's path, for the error message
     * @param type the store type, null for the JVM's default (PKCS12)
     * @param password the store's password, null when it has none
     * @throws IllegalArgumentException naming the file and the problem, never the password
     */
    public static SSLContext trustStoreContext(String key, String path, String type, char[] password) {
        String storeType = type != null ? type : KeyStore.getDefaultType();
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            KeyStore store = KeyStore.getInstance(storeType);
            store.load(in, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ": cannot load " + path + " as a " + storeType + " trust store ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
