package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.driftwatch.alert.airflow.DeliveryOutcome.Kind;
import dev.driftwatch.testing.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS to Airflow: a private CA's certificate is trusted through airflow.trust-store-path, and only then. */
class AirflowClientTlsITCase {
    @TempDir
    Path dir;

    @Test
    void trustsAnAirflowCertificateOnlyThroughTheConfiguredTrustStore() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir, "airflow");
        Path trustStore = certificates.trustStore();

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
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

            try (AirflowClient client = new AirflowClient(privateTrust, credentials, Map.of("TRUST_PW", TestCertificates.STORE_PASSWORD)::get)) {
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
}
