package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.driftwatch.config.AirflowTriggerConfig.ApiVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TriggerDeliveryTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final RecordingListener listener = new RecordingListener();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static PendingTrigger trigger(String id) {
        return new PendingTrigger("driftwatch__" + id, id, "fraud", "{}", System.currentTimeMillis(), 0);
    }

    @Test
    void neverHasMoreThanMaxInFlightRequestsOutstanding() throws Exception {
        List<CompletableFuture<DeliveryOutcome>> outstanding = Collections.synchronizedList(new ArrayList<>());
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 0, Duration.ofHours(1));
        try (TriggerDelivery delivery = new TriggerDelivery(t -> {
            CompletableFuture<DeliveryOutcome> f = new CompletableFuture<>();
            outstanding.add(f);
            return f;
        }, policy, 2, timer, System::currentTimeMillis, listener)) {
            for (int i = 0; i < 10; i++) {
                assertThat(delivery.submit(trigger("a" + i))).isTrue();
            }
            assertThat(delivery.submit(trigger("a3"))).as("same run id already pending").isFalse();
            assertThat(outstanding).hasSize(2);
            assertThat(delivery.pendingCount()).isEqualTo(10);

            outstanding.get(0).complete(DeliveryOutcome.created(200));
            assertThat(outstanding).hasSize(3);
            assertThat(delivery.pendingCount()).isEqualTo(9);
            for (int i = 1; i < 10; i++) {
                outstanding.get(i).complete(DeliveryOutcome.created(200));
            }
            delivery.awaitSettled();
            assertThat(listener.created).hasSize(10);
        }
    }

    @Test
    void airflowDownForAWhileThenBackDeliversEveryTriggerOnce() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, "retrain", "ops", "pw")) {
            AirflowTriggerConfig config = AirflowTriggerConfig.fromMap(Map.of("base-url", airflow.baseUrl().toString(),
                    "api-version", 2, "dag-id", "retrain", "username", "ops", "password-env", "PW"));
            airflow.failNext(7, 503, null);
            RetryPolicy policy = new RetryPolicy(Duration.ofMillis(5), Duration.ofMillis(50), 0, Duration.ofMinutes(5));
            AirflowDagTrigger requests = new AirflowDagTrigger(config);
            try (AirflowClient client = new AirflowClient(config, new AirflowCredentials("ops", "pw"));
                 TriggerDelivery delivery = new TriggerDelivery(client::trigger, policy, 2, timer,
                         System::currentTimeMillis, listener)) {
                for (String id : List.of("a1", "a2", "a3")) {
                    delivery.submit(requests.build(SampleAlerts.firing(id, "m-" + id, SampleAlerts.WINDOW_END), System.currentTimeMillis()));
                }
                delivery.awaitSettled();
            }
            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId)
                    .containsExactlyInAnyOrder("driftwatch__a1", "driftwatch__a2", "driftwatch__a3");
            assertThat(listener.retried).hasSize(7);
            assertThat(listener.created).hasSize(3);
            assertThat(listener.gaveUp).isEmpty();
        }
    }

    @Test
    void rejectedTriggersAreNotRetriedAndExpiredOnesAreGivenUp() throws Exception {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(2), 3, Duration.ofHours(1));
        try (TriggerDelivery delivery = new TriggerDelivery(t -> CompletableFuture.completedFuture(
                t.getAlertId().equals("bad") ? DeliveryOutcome.rejected(422, "extra field not permitted")
                        : DeliveryOutcome.retryable(503, null, "down")),
                policy, 1, timer, System::currentTimeMillis, listener)) {
            delivery.submit(trigger("bad"));
            delivery.submit(trigger("down"));
            delivery.awaitSettled();
        }
        assertThat(listener.gaveUp).containsExactlyInAnyOrder("bad:AIRFLOW_REJECTED", "down:AIRFLOW_UNREACHABLE");
        assertThat(listener.retried).containsExactly("down", "down");
    }

    @Test
    void aPendingTriggerCarriesItsAttemptCountIntoTheSnapshot() throws Exception {
        RetryPolicy policy = new RetryPolicy(Duration.ofHours(1), Duration.ofHours(1), 0, Duration.ofDays(1));
        try (TriggerDelivery delivery = new TriggerDelivery(
                t -> CompletableFuture.completedFuture(DeliveryOutcome.retryable(503, Duration.ofHours(1), "down")),
                policy, 1, timer, System::currentTimeMillis, listener)) {
            delivery.submit(trigger("a1"));
            assertThat(delivery.pending()).singleElement().satisfies(t -> assertThat(t.getAttempts()).isEqualTo(1));
        }
    }

    private static final class RecordingListener implements TriggerDelivery.Listener {
        final List<String> created = Collections.synchronizedList(new ArrayList<>());
        final List<String> retried = Collections.synchronizedList(new ArrayList<>());
        final List<String> gaveUp = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void created(PendingTrigger trigger) {
            created.add(trigger.getAlertId());
        }

        @Override
        public void duplicate(PendingTrigger trigger, String detail) {
            created.add(trigger.getAlertId());
        }

        @Override
        public void retrying(PendingTrigger trigger, DeliveryOutcome outcome, Duration delay) {
            retried.add(trigger.getAlertId());
        }

        @Override
        public void gaveUp(PendingTrigger trigger, TriggerDelivery.GiveUpReason reason, String detail) {
            gaveUp.add(trigger.getAlertId() + ":" + reason);
        }
    }
}
