package dev.driftwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.apache.avro.Schema;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A Schema Registry for tests on 127.0.0.1: the part of Confluent's REST API that serializers and deserializers use,
 * in its documented shapes. {@code GET /schemas/ids/{id}} answers {@code {"schema": "..."}} or 404 with
 * {@code {"error_code": 40403, "message": "Schema not found"}}; {@code POST /subjects/{subject}/versions} registers
 * ({@code {"id": n}}, the same id for the same schema, as the real one does); {@code POST /subjects/{subject}} looks a
 * schema up (404 40401 / 40403 when absent). Optional: a path prefix (Apicurio serves the API under
 * {@code /apis/ccompat/v7}), basic auth (401 {@code {"error_code": 401, ...}} without it), TLS, and a stall that holds
 * every answer back until {@link #release()}, to stand for a registry that accepts connections but does not answer.
 * Counts requests by path. Register as a {@code @RegisterExtension} or use {@link #start()} / {@link #close()}.
 */
public final class TestSchemaRegistry implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String prefix;
    private final String basicAuth;
    private final SSLContext tls;
    private final Map<Integer, String> schemas = new LinkedHashMap<>();
    private final Map<Integer, String> schemaTypes = new LinkedHashMap<>();
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
    private final List<String> requests = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private volatile CountDownLatch stall;
    private HttpServer server;
    private int nextId = 1;

    private TestSchemaRegistry(String prefix, String username, String password, SSLContext tls) {
        this.prefix = prefix;
        this.basicAuth = username == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.tls = tls;
    }

    /** Plain HTTP, no auth, the API at the root. */
    public TestSchemaRegistry() {
        this("", null, null, null);
    }

    /** The API under a path prefix (e.g. Apicurio's {@code /apis/ccompat/v7}). */
    public static TestSchemaRegistry withPrefix(String prefix) {
        return new TestSchemaRegistry(prefix, null, null, null);
    }

    /** Every request needs basic auth with these credentials. */
    public static TestSchemaRegistry withBasicAuth(String username, String password) {
        return new TestSchemaRegistry("", username, password, null);
    }

    /** HTTPS with the given server context. */
    public static TestSchemaRegistry withTls(SSLContext serverContext) {
        return new TestSchemaRegistry("", null, null, serverContext);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public TestSchemaRegistry start() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls != null) {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(loopback, 0);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    @Override
    public void close() {
        release();
        if (server != null) {
            server.stop(0);
        }
        executor.shutdownNow();
    }

    /** The registry's URL, prefix included, as {@code kafka.schema-registry.url} takes it. */
    public URI url() {
        return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort() + prefix);
    }

    /** Registers a schema under the subject as a producer would; returns its id. */
    public synchronized int register(String subject, Schema schema) {
        return register(subject, schema.toString());
    }

    private synchronized int register(String subject, String schemaText) {
        Schema parsed = new Schema.Parser().setValidateDefaults(false).parse(schemaText);
        Integer id = null;
        for (Map.Entry<Integer, String> e : schemas.entrySet()) {
            if (!schemaTypes.containsKey(e.getKey()) && new Schema.Parser().setValidateDefaults(false).parse(e.getValue()).equals(parsed)) {
                id = e.getKey();
            }
        }
        if (id == null) {
            id = nextId++;
            schemas.put(id, schemaText);
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    /** Stores a schema of another type (PROTOBUF, JSON) under an id, as producers of other formats leave them. */
    public synchronized int putForeign(String schemaType, String text) {
        int id = nextId++;
        schemas.put(id, text);
        schemaTypes.put(id, schemaType);
        return id;
    }

    /** The schema text registered under an id, as the registry stores it (null when unknown). */
    public synchronized String schema(int id) {
        return schemas.get(id);
    }

    /** The ids registered under a subject, oldest first. */
    public synchronized List<Integer> subjectIds(String subject) {
        return List.copyOf(subjects.getOrDefault(subject, List.of()));
    }

    /** Every request so far, as {@code METHOD /path} without the prefix. */
    public synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    /** How many requests asked for a path starting with {@code start}, e.g. {@code GET /schemas/ids/}. */
    public synchronized long requestsTo(String start) {
        return requests.stream().filter(r -> r.startsWith(start)).count();
    }

    /** The Authorization header of every request (null where none was sent). */
    public synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** From now on, requests are accepted but answered only after {@link #release()}. */
    public void stall() {
        stall = new CountDownLatch(1);
    }

    /** Answers the stalled requests and stops stalling. */
    public void release() {
        CountDownLatch s = stall;
        stall = null;
        if (s != null) {
            s.countDown();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (this) {
                requests.add(exchange.getRequestMethod() + " " + (path.startsWith(prefix) ? path.substring(prefix.length()) : path));
                authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            CountDownLatch s = stall;
            if (s != null) {
                s.await(5, TimeUnit.MINUTES);
            }
            if (basicAuth != null && !basicAuth.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, Map.of("error_code", 401, "message", "Unauthorized"));
                return;
            }
            if (!path.startsWith(prefix)) {
                send(exchange, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
                return;
            }
            route(exchange, exchange.getRequestMethod(), path.substring(prefix.length()), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");

    private void route(HttpExchange exchange, String method, String path, byte[] body) throws IOException {
        Matcher m;
        if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
            int id = Integer.parseInt(m.group(1));
            String schema;
            String type;
            synchronized (this) {
                schema = schemas.get(id);
                type = schemaTypes.get(id);
            }
            if (schema == null) {
                send(exchange, 404, Map.of("error_code", 40403, "message", "Schema " + id + " not found"));
            } else if (type == null) {
                // AVRO, the default type, is left out of the answer as Confluent's registry does
                send(exchange, 200, Map.of("schema", schema));
            } else {
                send(exchange, 200, Map.of("schemaType", type, "schema", schema));
            }
        } else if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
            String subject = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            JsonNode request = JSON.readTree(body);
            if (request.has("schemaType") && !"AVRO".equals(request.get("schemaType").asText())) {
                send(exchange, 422, Map.of("error_code", 42201, "message", "Invalid schema type"));
                return;
            }
            send(exchange, 200, Map.of("id", register(subject, request.get("schema").asText())));
        } else if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
            String subject = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            Schema wanted = new Schema.Parser().setValidateDefaults(false).parse(JSON.readTree(body).get("schema").asText());
            synchronized (this) {
                List<Integer> ids = subjects.get(subject);
                if (ids == null) {
                    send(exchange, 404, Map.of("error_code", 40401, "message", "Subject '" + subject + "' not found."));
                    return;
                }
                for (int i = 0; i < ids.size(); i++) {
                    String text = schemas.get(ids.get(i));
                    if (new Schema.Parser().setValidateDefaults(false).parse(text).equals(wanted)) {
                        send(exchange, 200, Map.of("subject", subject, "id", ids.get(i), "version", i + 1, "schema", text));
                        return;
                    }
                }
            }
            send(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
        } else {
            send(exchange, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
        }
    }

    private static void send(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
