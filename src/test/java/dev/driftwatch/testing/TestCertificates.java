package dev.driftwatch.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for 127.0.0.1 made with the JDK's keytool, and a trust store holding only it:
 * what a private CA gives a server that clients must be told to trust.
 */
public final class TestCertificates {
    /** The password of both stores. */
    public static final String STORE_PASSWORD = "store-pw-123";

    private final Path serverStore;
    private final Path trustStore;

    private TestCertificates(Path serverStore, Path trustStore) {
        this.serverStore = serverStore;
        this.trustStore = trustStore;
    }

    /** Makes the server's key store and the clients' trust store (PKCS12) in {@code dir}. */
    public static TestCertificates create(Path dir, String alias) throws Exception {
        Path serverStore = dir.resolve(alias + "-server.p12");
        Path cert = dir.resolve(alias + ".crt");
        Path trustStore = dir.resolve(alias + "-trust.p12");
        keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", alias, "-rfc", "-file", cert.toString(),
                "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", alias + "-ca", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        return new TestCertificates(serverStore, trustStore);
    }

    /** The clients' trust store (PKCS12, password {@link #STORE_PASSWORD}). */
    public Path trustStore() {
        return trustStore;
    }

    /** A TLS context that serves the certificate. */
    public SSLContext serverContext() throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverStore)) {
            keyStore.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, STORE_PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        return ssl;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
