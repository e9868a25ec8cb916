package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.config.AirflowTriggerConfig.ApiVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The fake Airflow holds requests to the published contract, so it cannot make a broken sink look right. */
class FakeAirflowServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8));
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void v2RejectsUnknownFieldMissingLogicalDateAndBadDatesWith422() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, "retrain", "ops", "s3cret")) {
            String bearer = "Bearer " + token(airflow);
            HttpResponse<String> unknown = post(airflow, "/api/v2/dags/retrain/dagRuns", bearer,
                    "{\"dag_run_id\":\"a\",\"logical_date\":null,\"execution_date\":\"2026-01-01T00:00:00Z\"}");
            assertThat(unknown.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(unknown.body()).get("detail").toString()).contains("execution_date");

            HttpResponse<String> noLogicalDate = post(airflow, "/api/v2/dags/retrain/dagRuns", bearer,
                    "{\"dag_run_id\":\"a\",\"conf\":{}}");
            assertThat(noLogicalDate.statusCode()).isEqualTo(422);
            assertThat(noLogicalDate.body()).contains("logical_date");

            HttpResponse<String> badDate = post(airflow, "/api/v2/dags/retrain/dagRuns", bearer,
                    "{\"dag_run_id\":\"a\",\"logical_date\":\"yesterday\"}");
            assertThat(badDate.statusCode()).isEqualTo(422);

            HttpResponse<String> confNotObject = post(airflow, "/api/v2/dags/retrain/dagRuns", bearer,
                    "{\"dag_run_id\":\"a\",\"logical_date\":null,\"conf\":[1]}");
            assertThat(confNotObject.statusCode()).isEqualTo(422);

            assertThat(airflow.runs()).isEmpty();
        }
    }

    @Test
    void v2CreatesOnceThenAnswers409AndNeedsAToken() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_3, "retrain", "ops", "s3cret")) {
            String body = "{\"dag_run_id\":\"run-1\",\"logical_date\":null,\"conf\":{\"model\":\"m\"},\"note\":\"n\"}";
            assertThat(post(airflow, "/api/v2/dags/retrain/dagRuns", null, body).statusCode()).isEqualTo(401);
            assertThat(post(airflow, "/auth/token", null, "{\"username\":\"ops\",\"password\":\"wrong\"}")
                    .statusCode()).isEqualTo(401);

            String bearer = "Bearer " + token(airflow);
            HttpResponse<String> created = post(airflow, "/api/v2/dags/retrain/dagRuns", bearer, body);
            assertThat(created.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(created.body()).get("state").asText()).isEqualTo("queued");
            HttpResponse<String> again = post(airflow, "/api/v2/dags/retrain/dagRuns", bearer, body);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(again.body()).get("detail").asText()).contains("run-1");
            assertThat(post(airflow, "/api/v2/dags/other/dagRuns", bearer, body).statusCode()).isEqualTo(404);

            airflow.expireTokens();
            assertThat(post(airflow, "/api/v2/dags/retrain/dagRuns", bearer, body).statusCode()).isEqualTo(401);
            assertThat(airflow.runs()).extracting(FakeAirflowServer.CreatedRun::runId).containsExactly("run-1");
        }
    }

    @Test
    void v1RejectsReadOnlyAndUnknownFieldsWith400InRfc7807Shape() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, "retrain", "ops", "s3cret")) {
            HttpResponse<String> readOnly = post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC,
                    "{\"dag_run_id\":\"a\",\"state\":\"queued\"}");
            assertThat(readOnly.statusCode()).isEqualTo(400);
            JsonNode problem = JSON.readTree(readOnly.body());
            assertThat(problem.has("type")).isTrue();
            assertThat(problem.get("title").asText()).isEqualTo("Bad Request");
            assertThat(problem.get("status").asInt()).isEqualTo(400);
            assertThat(problem.get("detail").asText()).contains("state");

            HttpResponse<String> unknown = post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC,
                    "{\"dag_run_id\":\"a\",\"partition_key\":\"x\"}");
            assertThat(unknown.statusCode()).isEqualTo(400);

            HttpResponse<String> badType = post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC,
                    "{\"dag_run_id\":\"a\",\"conf\":\"not an object\"}");
            assertThat(badType.statusCode()).isEqualTo(400);
            assertThat(airflow.runs()).isEmpty();
        }
    }

    @Test
    void v1Answers409ForTheSameRunIdOrTheSameLogicalDateAnd401ForABadPassword() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, "retrain", "ops", "s3cret")) {
            String wrong = "Basic " + Base64.getEncoder().encodeToString("ops:nope".getBytes(StandardCharsets.UTF_8));
            assertThat(post(airflow, "/api/v1/dags/retrain/dagRuns", wrong, "{\"dag_run_id\":\"a\"}").statusCode())
                    .isEqualTo(401);
            assertThat(post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC,
                    "{\"dag_run_id\":\"a\",\"logical_date\":\"2026-03-01T12:00:00.000001Z\"}").statusCode()).isEqualTo(200);
            assertThat(post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC,
                    "{\"dag_run_id\":\"a\",\"logical_date\":\"2026-03-02T12:00:00Z\"}").statusCode()).isEqualTo(409);
            assertThat(post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC,
                    "{\"dag_run_id\":\"b\",\"logical_date\":\"2026-03-01T12:00:00.000001Z\"}").statusCode()).isEqualTo(409);
            assertThat(airflow.runs()).hasSize(1);
        }
    }

    @Test
    void scriptedFaultsAnswerTheGivenStatusThenRecover() throws Exception {
        try (FakeAirflowServer airflow = FakeAirflowServer.start(ApiVersion.AIRFLOW_2, "retrain", "ops", "s3cret")) {
            airflow.failNext(2, 429, "3");
            HttpResponse<String> first = post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC, "{\"dag_run_id\":\"a\"}");
            assertThat(first.statusCode()).isEqualTo(429);
            assertThat(first.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC, "{\"dag_run_id\":\"a\"}").statusCode())
                    .isEqualTo(429);
            assertThat(post(airflow, "/api/v1/dags/retrain/dagRuns", BASIC, "{\"dag_run_id\":\"a\"}").statusCode())
                    .isEqualTo(200);
            assertThat(airflow.triggerStatuses()).containsExactly(429, 429, 200);
        }
    }

    private String token(FakeAirflowServer airflow) throws Exception {
        HttpResponse<String> r = post(airflow, "/auth/token", null, "{\"username\":\"ops\",\"password\":\"s3cret\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private HttpResponse<String> post(FakeAirflowServer airflow, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(airflow.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
