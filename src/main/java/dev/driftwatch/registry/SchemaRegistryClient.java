package dev.driftwatch.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.config.Secrets;
import dev.driftwatch.registry.SchemaRegistryException.Kind;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The three calls of Confluent's Schema Registry REST API that driftwatch makes, over {@link HttpClient}:
 * {@code GET /schemas/ids/{id}} (a writer schema by id), {@code POST /subjects/{subject}/versions} (register a
 * schema, answer its id) and {@code POST /subjects/{subject}} (the id of a schema already registered). Apicurio
 * ({@code /apis/ccompat/v7}), Redpanda and Karapace serve the same API. Basic auth when the config names
 * credentials; TLS with the JVM's trust store unless the config names another. Every call returns within the
 * connect timeout plus the request timeout, whatever the network does. No message that leaves this class holds the
 * password. No caching here: {@link SchemaRegistry} caches.
 */
public final class SchemaRegistryClient implements AutoCloseable {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    // what Confluent's own client sends: the versioned type first, plain JSON last
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json;"
            + " qs=0.9, application/json; qs=0.5";
    private static final int MAX_DETAIL_LENGTH = 300;

    private final SchemaRegistryConfig config;
    private final String authorization;
    private final String password;
    private final ExecutorService executor;
    private final HttpClient http;
    private final Duration bound;
    private final ObjectMapper json = new ObjectMapper();

    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this(config, System::getenv);
    }

    /**
     * @param env the environment lookup the credentials and the trust store password are read with (tests pass a map)
     * @throws IllegalArgumentException naming the config key when a credential or the trust store cannot be read
     */
    public SchemaRegistryClient(SchemaRegistryConfig config, Function<String, String> env) {
        this.config = config;
        if (config.hasCredentials()) {
            String p = SchemaRegistryConfig.PREFIX;
            String user = config.username() != null ? config.username()
                    : config.usernameEnv() != null ? Secrets.fromEnv(p + "username-env", config.usernameEnv(), env)
                    : Secrets.fromFile(p + "username-file", config.usernameFile());
            this.password = config.passwordEnv() != null ? Secrets.fromEnv(p + "password-env", config.passwordEnv(), env)
                    : Secrets.fromFile(p + "password-file", config.passwordFile());
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        } else {
            this.password = null;
            this.authorization = null;
        }
        AtomicInteger threads = new AtomicInteger();
        // a cached pool keeps no thread once idle: an unused client holds no thread (nor a finished job's class loader)
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "schema-registry-client-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor);
        if (config.trustStorePath() != null) {
            char[] storePassword = config.trustStorePasswordEnv() == null ? null
                    : Secrets.fromEnv(SchemaRegistryConfig.PREFIX + "trust-store-password-env",
                            config.trustStorePasswordEnv(), env).toCharArray();
            builder.sslContext(Secrets.trustStoreContext(SchemaRegistryConfig.PREFIX + "trust-store-path",
                    config.trustStorePath(), config.trustStoreType(), storePassword));
        }
        this.http = builder.build();
        // the request timeout starts once connected; the whole call, name resolution and body included, is cut here
        this.bound = config.connectTimeout().plus(config.requestTimeout()).plusMillis(250);
    }

    /** The Avro schema registered under {@code id}. */
    public Schema schemaById(int id) throws SchemaRegistryException {
        String path = "/schemas/ids/" + id;
        JsonNode answer = send(HttpRequest.newBuilder(uri(path)).GET(), path, "schema id " + id);
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new SchemaRegistryException(Kind.INVALID_SCHEMA, "schema id " + id + " is a " + type.asText()
                    + " schema, not Avro");
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException(Kind.UNAVAILABLE, "GET " + path + " answered without a \"schema\" string ("
                    + where() + ")");
        }
        JsonNode references = answer.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new SchemaRegistryException(Kind.INVALID_SCHEMA, "schema id " + id + " refers to other subjects' schemas"
                    + " (schema references), which driftwatch does not resolve");
        }
        try {
            return new Schema.Parser().setValidateDefaults(false).parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(Kind.INVALID_SCHEMA, "schema id " + id + " is not a valid Avro schema: "
                    + clip(e.getMessage()));
        }
    }

    /** Registers the schema under the subject (or finds it registered already) and answers its id. */
    public int register(String subject, Schema schema) throws SchemaRegistryException {
        String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions";
        return idOf(send(post(path, schema), path, "subject " + subject), path);
    }

    /** The id of a schema already registered under the subject (no registration: for registries that forbid it). */
    public int lookUp(String subject, Schema schema) throws SchemaRegistryException {
        String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8);
        return idOf(send(post(path, schema), path, "subject " + subject), path);
    }

    private HttpRequest.Builder post(String path, Schema schema) throws SchemaRegistryException {
        String body;
        try {
            // schemaType left out: AVRO, the default of every version of the API
            body = json.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a schema as JSON", e);
        }
        return HttpRequest.newBuilder(uri(path))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private int idOf(JsonNode answer, String path) throws SchemaRegistryException {
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new SchemaRegistryException(Kind.UNAVAILABLE, "POST " + path + " answered without an \"id\" ("
                    + where() + ")");
        }
        return id.asInt();
    }

    private URI uri(String path) {
        return URI.create(config.url() + path);
    }

    /** The registry's host and port, for messages (the URL's path may be long; it never holds credentials). */
    public String where() {
        return config.url().getAuthority();
    }

    private JsonNode send(HttpRequest.Builder builder, String path, String what) throws SchemaRegistryException {
        builder.timeout(config.requestTimeout()).header("Accept", ACCEPT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        String call = request.method() + " " + path;
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response;
        try {
            response = pending.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw unavailable(call + ": no answer within " + bound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.cancel(true);
            throw unavailable(call + ": interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String kind = cause instanceof HttpTimeoutException ? "timed out"
                    : cause instanceof ConnectException ? "connection refused or unreachable"
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + redact(cause.getMessage()));
            throw unavailable(call + ": " + kind);
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status == 200) {
            if (body == null || !body.isObject()) {
                throw unavailable(call + " answered 200 with a body that is not a JSON object");
            }
            return body;
        }
        String detail = "HTTP " + status + errorText(body);
        if (status == 404) {
            throw new SchemaRegistryException(Kind.NOT_FOUND, what + " not found in the schema registry (" + call
                    + ": " + detail + ", " + where() + ")");
        }
        if (status == 409 || status == 422) {
            throw new SchemaRegistryException(Kind.REJECTED, "the schema registry refused " + call + ": " + detail
                    + " (" + where() + ")");
        }
        String hint = status == 401 || status == 403 ? " (check kafka.schema-registry's user name and password)" : "";
        throw unavailable(call + ": " + detail + hint);
    }

    private SchemaRegistryException unavailable(String detail) {
        return new SchemaRegistryException(Kind.UNAVAILABLE, "schema registry " + where() + ": " + detail);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }

    /** The error answer's code and message ({@code {"error_code": 40403, "message": "Schema not found"}}), if any. */
    private String errorText(JsonNode body) {
        if (body == null || !body.isObject()) {
            return "";
        }
        JsonNode code = body.get("error_code");
        JsonNode message = body.get("message");
        StringBuilder b = new StringBuilder();
        if (code != null && code.canConvertToInt()) {
            b.append(" error ").append(code.asInt());
        }
        if (message != null && message.isTextual()) {
            b.append(": ").append(clip(redact(message.asText())));
        }
        return b.toString();
    }

    /** The text without the password or the basic-auth token (a server may echo a header in its error). */
    String redact(String text) {
        if (text == null || password == null) {
            return text;
        }
        return text.replace(password, "***").replace(authorization.substring("Basic ".length()), "***");
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > MAX_DETAIL_LENGTH ? s.substring(0, MAX_DETAIL_LENGTH) + "…" : s;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient{" + config.url() + (authorization == null ? "" : ", basic auth ***") + "}";
    }
}
