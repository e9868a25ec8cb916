package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.driftwatch.config.AirflowTriggerConfig.ApiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Airflow REST API on 127.0.0.1 for tests, following the published specs in src/test/resources/airflow:
 * Airflow 2 ({@code /api/v1}, basic auth, body DAGRun, RFC 7807 errors) or Airflow 3 ({@code /api/v2},
 * {@code POST /auth/token} then bearer tokens, body TriggerDAGRunPostBody with required logical_date and no
 * extra fields, {@code {"detail": ...}} errors). Every request body is validated against the spec's schema;
 * the server keeps the runs it created, answers 409 for a run id it has (and on v1 for a logical date it has),
 * and has scriptable faults: a status for the next N trigger requests (with Retry-After), token expiry.
 */
final class FakeAirflowServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DAG_RUNS = Pattern.compile("/api/(v1|v2)/dags/([^/]+)/dagRuns");

    /** A run the server created. */
    record CreatedRun(String dagId, String runId, String logicalDate, JsonNode conf, String note) {}

    private final ApiVersion version;
    private final String dagId;
    private final String username;
    private final String password;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final OpenApiSchemaValidator validator;
    private final Map<String, Object> bodySchema;

    private final List<CreatedRun> runs = new ArrayList<>();
    private final Set<String> tokens = new HashSet<>();
    private final List<Integer> triggerStatuses = new ArrayList<>();
    private final List<String> authorizationHeaders = new ArrayList<>();
    private int tokenRequests;
    private int faultsLeft;
    private int faultStatus;
    private String faultRetryAfter;

    private FakeAirflowServer(ApiVersion version, String dagId, String username, String password, int port)
            throws IOException {
        this.version = version;
        this.dagId = dagId;
        this.username = username;
        this.password = password;
        if (version == ApiVersion.AIRFLOW_2) {
            Map<String, Object> schemas = v1ComponentSchemas();
            this.validator = new OpenApiSchemaValidator(schemas);
            this.bodySchema = castMap(schemas.get("DAGRun"));
        } else {
            this.validator = new OpenApiSchemaValidator(Map.of());
            this.bodySchema = v2TriggerBodySchema();
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free loopback port. */
    static FakeAirflowServer start(ApiVersion version, String dagId, String username, String password)
            throws IOException {
        return new FakeAirflowServer(version, dagId, username, password, 0);
    }

    /** Starts a server on the given loopback port (to bring back an Airflow that was unreachable there). */
    static FakeAirflowServer startOnPort(ApiVersion version, String dagId, String username, String password,
                                         int port) throws IOException {
        return new FakeAirflowServer(version, dagId, username, password, port);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The schema every trigger body is checked against (DAGRun for v1, TriggerDAGRunPostBody for v2). */
    Map<String, Object> bodySchema() {
        return bodySchema;
    }

    synchronized List<CreatedRun> runs() {
        return List.copyOf(runs);
    }

    /** The status of every answer to a trigger request, in order. */
    synchronized List<Integer> triggerStatuses() {
        return List.copyOf(triggerStatuses);
    }

    /** Authorization headers of the trigger requests, as sent. */
    synchronized List<String> authorizationHeaders() {
        return List.copyOf(authorizationHeaders);
    }

    synchronized int tokenRequests() {
        return tokenRequests;
    }

    /** The next n trigger requests get status (e.g. 503), with Retry-After when retryAfter is not null. */
    synchronized void failNext(int n, int status, String retryAfter) {
        faultsLeft = n;
        faultStatus = status;
        faultRetryAfter = retryAfter;
    }

    /** Forgets every token it issued: the next request with one answers 401 (as after expiry). */
    synchronized void expireTokens() {
        tokens.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] requestBody = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            synchronized (this) {
                if (version == ApiVersion.AIRFLOW_3 && path.equals("/auth/token")
                        && exchange.getRequestMethod().equals("POST")) {
                    token(exchange, requestBody);
                    return;
                }
                Matcher m = DAG_RUNS.matcher(path);
                if (m.matches() && m.group(1).equals(version.pathVersion()) && exchange.getRequestMethod().equals("POST")) {
                    int status = trigger(exchange, m.group(2), requestBody);
                    triggerStatuses.add(status);
                    return;
                }
                error(exchange, 404, "Not Found", "no route " + exchange.getRequestMethod() + " " + path);
            }
        }
    }

    private void token(HttpExchange exchange, byte[] body) throws IOException {
        tokenRequests++;
        JsonNode credentials;
        try {
            credentials = JSON.readTree(body);
        } catch (IOException e) {
            send(exchange, 422, JSON.createObjectNode().put("detail", "body is not JSON"));
            return;
        }
        if (credentials == null || !credentials.path("username").isTextual() || !credentials.path("password").isTextual()) {
            send(exchange, 422, JSON.createObjectNode().put("detail", "username and password are required"));
            return;
        }
        if (!credentials.get("username").asText().equals(username) || !credentials.get("password").asText().equals(password)) {
            send(exchange, 401, JSON.createObjectNode().put("detail", "Invalid credentials"));
            return;
        }
        String token = "tok-" + UUID.randomUUID();
        tokens.add(token);
        send(exchange, 201, JSON.createObjectNode().put("access_token", token));
    }

    private int trigger(HttpExchange exchange, String requestedDag, byte[] body) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizationHeaders.add(authorization);
        if (!authenticated(authorization)) {
            return error(exchange, 401, "Unauthorized", version == ApiVersion.AIRFLOW_2 ? null : "Not authenticated");
        }
        if (faultsLeft > 0) {
            faultsLeft--;
            if (faultRetryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", faultRetryAfter);
            }
            return error(exchange, faultStatus, "Service Unavailable", "scripted fault");
        }
        if (!requestedDag.equals(dagId)) {
            return error(exchange, 404, "DAG not found", "DAG with dag_id: '" + requestedDag + "' not found");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return invalid(exchange, List.of("body: not JSON"));
        }
        if (json == null) {
            return invalid(exchange, List.of("body: required"));
        }
        List<String> problems = validator.validate(json, bodySchema);
        if (version == ApiVersion.AIRFLOW_2) {
            // Airflow 2 loads the body with marshmallow, which refuses fields its schema does not know.
            json.fieldNames().forEachRemaining(f -> {
                if (!bodySchemaProperties().contains(f)) {
                    problems.add("body." + f + ": Unknown field.");
                }
            });
        }
        if (!problems.isEmpty()) {
            return invalid(exchange, problems);
        }
        String runId = json.path("dag_run_id").isTextual() ? json.get("dag_run_id").asText()
                : "manual__" + Instant.now();
        String logicalDate = json.path("logical_date").isTextual()
                ? OffsetDateTime.parse(json.get("logical_date").asText()).toInstant().toString()
                : (version == ApiVersion.AIRFLOW_2 ? Instant.now().toString() : null);
        for (CreatedRun run : runs) {
            if (version == ApiVersion.AIRFLOW_2 && logicalDate != null && logicalDate.equals(run.logicalDate())) {
                return error(exchange, 409, "Conflict", "DAGRun with DAG ID: '" + dagId
                        + "' and DAGRun logical date: '" + logicalDate + "' already exists");
            }
            if (run.runId().equals(runId)) {
                return error(exchange, 409, "Conflict", version == ApiVersion.AIRFLOW_2
                        ? "DAGRun with DAG ID: '" + dagId + "' and DAGRun ID: '" + runId + "' already exists"
                        : "DAG Run with run_id: `" + runId + "` already exists");
            }
        }
        JsonNode conf = json.path("conf").isObject() ? json.get("conf") : JSON.createObjectNode();
        String note = json.path("note").isTextual() ? json.get("note").asText() : null;
        runs.add(new CreatedRun(dagId, runId, logicalDate, conf, note));
        ObjectNode response = JSON.createObjectNode();
        response.put("dag_id", dagId);
        response.put("dag_run_id", runId);
        response.put("logical_date", logicalDate);
        response.set("conf", conf);
        response.put("note", note);
        response.put("state", "queued");
        response.put("run_type", "manual");
        if (version == ApiVersion.AIRFLOW_2) {
            response.put("execution_date", logicalDate);
            response.put("external_trigger", true);
        } else {
            response.put("run_after", Instant.now().toString());
            response.put("dag_display_name", dagId);
            response.putArray("dag_versions");
        }
        send(exchange, 200, response);
        return 200;
    }

    private Set<String> bodySchemaProperties() {
        return castMap(bodySchema.getOrDefault("properties", Map.of())).keySet();
    }

    private boolean authenticated(String authorization) {
        if (authorization == null) {
            return false;
        }
        if (version == ApiVersion.AIRFLOW_2) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8));
            return authorization.equals(expected);
        }
        return authorization.startsWith("Bearer ") && tokens.contains(authorization.substring("Bearer ".length()));
    }

    private int invalid(HttpExchange exchange, List<String> problems) throws IOException {
        if (version == ApiVersion.AIRFLOW_2) {
            return error(exchange, 400, "Bad Request", String.join("; ", problems));
        }
        // FastAPI's HTTPValidationError: {"detail": [{"type", "loc", "msg"}]}
        ObjectNode response = JSON.createObjectNode();
        var detail = response.putArray("detail");
        for (String problem : problems) {
            ObjectNode e = detail.addObject();
            e.put("type", "value_error");
            var loc = e.putArray("loc");
            for (String part : problem.substring(0, problem.indexOf(':')).split("\\.")) {
                loc.add(part);
            }
            e.put("msg", problem.substring(problem.indexOf(':') + 2));
        }
        send(exchange, 422, response);
        return 422;
    }

    private int error(HttpExchange exchange, int status, String title, String detail) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        if (version == ApiVersion.AIRFLOW_2) {
            body.put("type", "https://airflow.apache.org/docs/apache-airflow/2.10.0/stable-rest-api-ref.html#section/Errors/"
                    + title.replace(" ", ""));
            body.put("title", title);
            body.put("status", status);
            body.put("detail", detail);
        } else {
            body.put("detail", detail == null ? title : detail);
        }
        send(exchange, status, body);
        return status;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type",
                status >= 400 && body.has("title") ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    static Map<String, Object> v1ComponentSchemas() {
        try (InputStream in = resource("airflow/airflow-2.10-v1.yaml")) {
            Map<String, Object> spec = castMap(new YAMLMapper().readValue(in, Map.class));
            return castMap(castMap(spec.get("components")).get("schemas"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TriggerDAGRunPostBody from the verbatim excerpt of Airflow's own spec. The excerpt is cut from a larger
     * document, so only the block of that schema is parsed (up to the next line that is indented less).
     */
    static Map<String, Object> v2TriggerBodySchema() {
        try (InputStream in = resource("airflow/airflow-core-v2-TriggerDAGRunPostBody-excerpt.yaml")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            StringBuilder block = new StringBuilder();
            int indent = -1;
            for (String line : lines) {
                if (indent < 0) {
                    if (line.trim().equals("TriggerDAGRunPostBody:")) {
                        indent = line.indexOf('T');
                        block.append(line.substring(indent)).append('\n');
                    }
                    continue;
                }
                if (!line.isBlank() && (line.length() - line.stripLeading().length()) <= indent) {
                    break;
                }
                block.append(line.length() > indent ? line.substring(indent) : "").append('\n');
            }
            Map<String, Object> doc = castMap(new YAMLMapper().readValue(block.toString(), Map.class));
            return castMap(doc.get("TriggerDAGRunPostBody"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = FakeAirflowServer.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("test resource " + name + " missing");
        }
        return in;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
