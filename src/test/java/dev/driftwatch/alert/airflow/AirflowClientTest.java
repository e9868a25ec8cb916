package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.driftwatch.config.AirflowTriggerConfig.ApiVersion;
import dev.driftwatch.alert.airflow.DeliveryOutcome.Kind;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client against the fake Airflow over real sockets: what each answer of Airflow comes to. */
class AirflowClientTest {
    private static final String PASSWORD = "pa55-Word-xyz";

    private static AirflowTriggerConfig config(String apiVersion, URI baseUrl) {
        Map<String, Object> m = new HashMap<>(Map.of("base-url", baseUrl.toString(), "api-version", apiVersion,
                "dag-id", "retrain", "username", "ops", "password-env", "PW", "request-timeout", "5s"));
        return AirflowTriggerConfig.fromMap(m);
    }

    private static PendingTrigger trigger(AirflowTriggerConfig config, String alertId) {
        return new AirflowDagTrigger(config).build(SampleAlerts.firing(alertId, "fraud", SampleAlerts.WINDOW_END), 0L);
    }

    @Test
    void airflow2CreatesThenReportsTheSameRunAsDuplicate() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, "retrain", "ops", PASSWORD)) {
            AirflowTriggerConfig config = config("2", airflow.baseUrl());
            try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", PASSWORD))) {
                PendingTrigger t = trigger(config, "a1");
                assertThat(client.trigger(t).get().kind()).isEqualTo(Kind.CREATED);
                DeliveryOutcome again = client.trigger(t).get();
                assertThat(again.kind()).isEqualTo(Kind.DUPLICATE);
                assertThat(again.detail()).contains("already exists");
            }
            assertThat(airflow.runs()).hasSize(1);
        }
    }

    @Test
    void airflow3FetchesATokenAndFetchesAgainOnceWhenItExpires() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, "retrain", "ops", PASSWORD)) {
            AirflowTriggerConfig config = config("3", airflow.baseUrl());
            try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", PASSWORD))) {
                assertThat(client.trigger(trigger(config, "a1")).get().kind()).isEqualTo(Kind.CREATED);
                assertThat(client.trigger(trigger(config, "a2")).get().kind()).isEqualTo(Kind.CREATED);
                assertThat(airflow.tokenRequests()).isEqualTo(1);

                airflow.expireTokens();
                assertThat(client.trigger(trigger(config, "a3")).get().kind()).isEqualTo(Kind.CREATED);
                assertThat(airflow.tokenRequests()).isEqualTo(2);
            }
            assertThat(airflow.runs()).hasSize(3);
            assertThat(airflow.triggerStatuses()).containsExactly(200, 200, 401, 200);
        }
    }

    @Test
    void aBadPasswordIsRejectedAndTheDetailHoldsNoSecret() throws Exception {
        for (ApiVersion version : ApiVersion.values()) {
            try (FakeAirflowServer airflow = FakeAirflowServer.start(version, "retrain", "ops", PASSWORD)) {
                AirflowTriggerConfig config = config(version == ApiVersion.AIRFLOW_2 ? "2" : "3", airflow.baseUrl());
                try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", "wrong-Secret-42"))) {
                    DeliveryOutcome outcome = client.trigger(trigger(config, "a1")).get();
                    assertThat(outcome.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(outcome.status()).isEqualTo(401);
                    assertThat(outcome.detail()).doesNotContain("wrong-Secret-42").doesNotContain(PASSWORD);
                }
                assertThat(airflow.runs()).isEmpty();
            }
        }
    }

    @Test
    void overloadAndOutagesAreRetryableWithRetryAfter() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, "retrain", "ops", PASSWORD)) {
            AirflowTriggerConfig config = config("2", airflow.baseUrl());
            try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", PASSWORD))) {
                airflow.failNext(1, 429, "7");
                DeliveryOutcome throttled = client.trigger(trigger(config, "a1")).get();
                assertThat(throttled.kind()).isEqualTo(Kind.RETRYABLE);
                assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(7));

                airflow.failNext(1, 503, null);
                DeliveryOutcome down = client.trigger(trigger(config, "a1")).get();
                assertThat(down.kind()).isEqualTo(Kind.RETRYABLE);
                assertThat(down.status()).isEqualTo(503);
            }
        }
    }

    @Test
    void anUnknownDagIsRejectedWithAirflowsDetail() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, "other_dag", "ops", PASSWORD)) {
            AirflowTriggerConfig config = config("3", airflow.baseUrl());
            try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", PASSWORD))) {
                DeliveryOutcome outcome = client.trigger(trigger(config, "a1")).get();
                assertThat(outcome.kind()).isEqualTo(Kind.REJECTED);
                assertThat(outcome.status()).isEqualTo(404);
                assertThat(outcome.detail()).contains("retrain").contains("not found");
            }
        }
    }

    @Test
    void anUnreachableAirflowIsRetryable() throws Exception {
        int port;
        try (ServerSocket reserved = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = reserved.getLocalPort();
        }
        for (String version : new String[] {"2", "3"}) {
            AirflowTriggerConfig config = config(version, URI.create("http://127.0.0.1:" + port));
            try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", PASSWORD))) {
                DeliveryOutcome outcome = client.trigger(trigger(config, "a1")).get();
                assertThat(outcome.kind()).isEqualTo(Kind.RETRYABLE);
                assertThat(outcome.status()).isZero();
                assertThat(outcome.detail()).doesNotContain(PASSWORD);
            }
        }
    }
}
