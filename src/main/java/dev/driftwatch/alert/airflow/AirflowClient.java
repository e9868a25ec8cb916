package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import dev.driftwatch.config.Secrets;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Sends one DAG-run trigger to Airflow over {@link HttpClient}, asynchronously, and classifies the answer.
 * Airflow 2: basic auth on every request. Airflow 3: a bearer token from {@code POST /auth/token}, cached and
 * fetched again once when a request answers 401 (tokens expire). TLS uses the JVM's trust store unless the
 * config names another one. No text that leaves this class (outcome details, exception messages) contains
 * the password or the token.
 */
public final class AirflowClient implements AutoCloseable {
    private static final int MAX_DETAIL_LENGTH = 2000;

    private final AirflowTriggerConfig config;
    private final AirflowCredentials credentials;
    private final AirflowDagTrigger requests;
    private final ExecutorService executor;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    // The current token request, shared by all triggers; replaced when a request finds its token rejected.
    private CompletableFuture<String> token;

    public AirflowClient(AirflowTriggerConfig config, AirflowCredentials credentials) {
        this(config, credentials, System::getenv);
    }

    AirflowClient(AirflowTriggerConfig config, AirflowCredentials credentials, Function<String, String> env) {
        this.config = Objects.requireNonNull(config, "config");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.requests = new AirflowDagTrigger(config);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "airflow-client-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor);
        if (config.trustStorePath() != null) {
            builder.sslContext(sslContext(config, env));
        }
        this.http = builder.build();
    }

    /** Builds an SSL context that trusts the certificates of the configured trust store (and only those). */
    static SSLContext sslContext(AirflowTriggerConfig config, Function<String, String> env) {
        return Secrets.trustStoreContext(AirflowTriggerConfig.PREFIX + "trust-store-path", config.trustStorePath(),
                config.trustStoreType(), AirflowCredentials.trustStorePassword(config, env));
    }

    /** Posts the trigger's body to dagRuns; the future never fails, every problem is an outcome. */
    public CompletableFuture<DeliveryOutcome> trigger(PendingTrigger trigger) {
        if (config.apiVersion() == AirflowTriggerConfig.ApiVersion.AIRFLOW_2) {
            return post(trigger, credentials.basicAuthorization(), null).thenApply(r -> classify(r, null));
        }
        return withToken(trigger, true);
    }

    private CompletableFuture<DeliveryOutcome> withToken(PendingTrigger trigger, boolean mayRefresh) {
        CompletableFuture<String> current = currentToken();
        return current.handle((tok, error) -> {
            if (error != null) {
                return CompletableFuture.completedFuture(tokenFailure(unwrap(error)));
            }
            return post(trigger, "Bearer " + tok, tok).thenCompose(r -> {
                if (r.response != null && r.response.statusCode() == 401 && mayRefresh) {
                    invalidate(current);
                    return withToken(trigger, false);
                }
                return CompletableFuture.completedFuture(classify(r, tok));
            });
        }).thenCompose(Function.identity());
    }

    private synchronized CompletableFuture<String> currentToken() {
        if (token == null || (token.isDone() && token.isCompletedExceptionally())) {
            token = fetchToken();
        }
        return token;
    }

    private synchronized void invalidate(CompletableFuture<String> rejected) {
        // Only the first request that sees the token rejected drops it; the others reuse the new one.
        if (token == rejected) {
            token = null;
        }
    }

    private CompletableFuture<String> fetchToken() {
        String body;
        try {
            body = json.writeValueAsString(Map.of("username", credentials.username(), "password", credentials.password()));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new TokenException(0, "cannot encode the token request"));
        }
        HttpRequest request = HttpRequest.newBuilder(requests.tokenUri())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            int status = response.statusCode();
            if (status == 200 || status == 201) {
                try {
                    JsonNode accessToken = json.readTree(response.body()).get("access_token");
                    if (accessToken != null && accessToken.isTextual() && !accessToken.asText().isEmpty()) {
                        return accessToken.asText();
                    }
                } catch (IOException ignored) {
                    // handled below: an answer without a token
                }
                throw new TokenException(status, "answer of /auth/token has no access_token");
            }
            throw new TokenException(status, errorDetail(response, null), response.headers()
                    .firstValue("Retry-After").flatMap(v -> RetryPolicy.parseRetryAfter(v, Instant.now())).orElse(null));
        });
    }

    private DeliveryOutcome tokenFailure(Throwable error) {
        if (error instanceof TokenException te) {
            String detail = "POST /auth/token answered " + te.status + ": " + te.getMessage();
            return retryableStatus(te.status)
                    ? DeliveryOutcome.retryable(te.status, te.retryAfter, detail)
                    : DeliveryOutcome.rejected(te.status, detail);
        }
        return DeliveryOutcome.retryable(0, null, "POST /auth/token failed: " + transportError(error));
    }

    /** A response or the transport error, never both. */
    private record Attempt(HttpResponse<String> response, Throwable error) {}

    private CompletableFuture<Attempt> post(PendingTrigger trigger, String authorization, String tok) {
        HttpRequest request = HttpRequest.newBuilder(requests.dagRunsUri())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(trigger.getBody()))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> new Attempt(response, error == null ? null : unwrap(error)));
    }

    private DeliveryOutcome classify(Attempt attempt, String tok) {
        if (attempt.error != null) {
            return DeliveryOutcome.retryable(0, null, transportError(attempt.error));
        }
        HttpResponse<String> response = attempt.response;
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            return DeliveryOutcome.created(status);
        }
        String detail = "HTTP " + status + " from " + requests.dagRunsUri().getPath() + ": " + errorDetail(response, tok);
        if (status == 409) {
            return DeliveryOutcome.duplicate(detail);
        }
        if (retryableStatus(status)) {
            return DeliveryOutcome.retryable(status, response.headers().firstValue("Retry-After")
                    .flatMap(v -> RetryPolicy.parseRetryAfter(v, Instant.now())).orElse(null), detail);
        }
        return DeliveryOutcome.rejected(status, detail);
    }

    static boolean retryableStatus(int status) {
        return status == 0 || status == 408 || status == 429 || status >= 500;
    }

    /** Airflow's own words: v1's RFC 7807 title and detail, v2's detail (text or validation errors). */
    private String errorDetail(HttpResponse<String> response, String tok) {
        String body = response.body() == null ? "" : response.body();
        String detail = body;
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject()) {
                JsonNode title = node.get("title");
                JsonNode d = node.get("detail");
                String dText = d == null || d.isNull() ? "" : (d.isTextual() ? d.asText() : d.toString());
                detail = title != null && title.isTextual()
                        ? title.asText() + (dText.isEmpty() ? "" : ": " + dText)
                        : dText;
            }
        } catch (IOException notJson) {
            // keep the raw body
        }
        detail = credentials.redact(detail, tok);
        return detail.length() > MAX_DETAIL_LENGTH ? detail.substring(0, MAX_DETAIL_LENGTH) + "…" : detail;
    }

    private String transportError(Throwable error) {
        String kind = error instanceof HttpTimeoutException ? "timeout"
                : error instanceof ConnectException ? "connection refused or unreachable"
                : error.getClass().getSimpleName();
        String message = error.getMessage() == null ? "" : ": " + credentials.redact(error.getMessage());
        return kind + message + " (" + URI.create(config.baseUrl().toString()).getAuthority() + ")";
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** A failed token request; its message holds Airflow's detail, never the credentials. */
    private static final class TokenException extends RuntimeException {
        final int status;
        final Duration retryAfter;

        TokenException(int status, String detail) {
            this(status, detail, null);
        }

        TokenException(int status, String detail, Duration retryAfter) {
            super(detail, null, false, false);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }
}
