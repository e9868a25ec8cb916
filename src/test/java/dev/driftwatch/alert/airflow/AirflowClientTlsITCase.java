package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.driftwatch.alert.airflow.DeliveryOutcome.Kind;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS to Airflow: a private CA's certificate is trusted through airflow.trust-store-path, and only then. */
class AirflowClientTlsITCase {
    private static final String STORE_PASSWORD = "store-pw-123";

    @TempDir
    Path dir;

    @Test
    void trustsAnAirflowCertificateOnlyThroughTheConfiguredTrustStore() throws Exception {
        Path serverStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "airflow", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "airflow", "-rfc", "-file", cert.toString(),
                "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "airflow-ca", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext(serverStore)));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"dag_run_id\":\"x\",\"state\":\"queued\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String baseUrl = "https://127.0.0.1:" + server.getAddress().getPort();
            Map<String, Object> m = new HashMap<>(Map.of("base-url", baseUrl, "api-version", "2", "dag-id", "retrain",
                    "username", "ops", "password-env", "PW", "request-timeout", "5s"));
            AirflowTriggerConfig jvmTrust = AirflowTriggerConfig.fromMap(m);
            m.put("trust-store-path", trustStore.toString());
            m.put("trust-store-password-env", "TRUST_PW");
            AirflowTriggerConfig privateTrust = AirflowTriggerConfig.fromMap(m);
            PendingTrigger trigger = new AirflowDagTrigger(jvmTrust)
                    .build(SampleAlerts.firing("a1", "fraud", SampleAlerts.WINDOW_END), 0L);
            AirflowCredentials credentials = new AirflowCredentials("ops", "pw");

            try (AirflowClient client = new AirflowClient(privateTrust, credentials, Map.of("TRUST_PW", STORE_PASSWORD)::get)) {
                assertThat(client.trigger(trigger).get().kind()).isEqualTo(Kind.CREATED);
            }
            try (AirflowClient client = new AirflowClient(jvmTrust, credentials, Map.<String, String>of()::get)) {
                DeliveryOutcome untrusted = client.trigger(trigger).get();
                assertThat(untrusted.kind()).isEqualTo(Kind.RETRYABLE);
                assertThat(untrusted.status()).isZero();
            }
        } finally {
            server.stop(0);
        }
    }

    private static SSLContext serverContext(Path store) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, STORE_PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        return ssl;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
