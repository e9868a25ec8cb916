package dev.driftwatch.registry;

import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.config.ConfigBinder;
import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.registry.SchemaRegistryException.Kind;
import dev.driftwatch.testing.TestCertificates;
import dev.driftwatch.testing.TestSchemaRegistry;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Schema Registry client and its per-JVM caches against a registry over real HTTP on 127.0.0.1, in Confluent's
 * documented shapes: schemas by id, registration, basic auth, TLS, an Apicurio-style path prefix; and what the
 * events source depends on: an id is asked once, an unknown id or a silent registry never holds a task up for more
 * than one bounded request per negative-cache period.
 */
class SchemaRegistryITCase {
    static final Schema EVENT = InferenceEvent.getClassSchema();
    static final String SECRET = "s3cret-registry-pw";

    @TempDir
    Path dir;

    static SchemaRegistryConfig config(java.net.URI url, Map<String, Object> more) {
        Map<String, Object> m = new HashMap<>(more);
        m.put("url", url.toString());
        return ConfigBinder.bind("kafka.schema-registry", SchemaRegistryConfig.class, m).value();
    }

    /** A clock the test moves: the negative cache's periods pass without waiting. */
    static final class Clock {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advance(java.time.Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    static SchemaRegistry registry(SchemaRegistryConfig config, Clock clock) {
        return new SchemaRegistry(new SchemaRegistryClient(config, Map.<String, String>of()::get), config, clock.nanos::get);
    }

    @Test
    void findsASchemaByIdUnderAnApicurioStylePathAndAsksForEachIdOnce() throws Exception {
        try (TestSchemaRegistry server = TestSchemaRegistry.withPrefix("/apis/ccompat/v7").start()) {
            int id = server.register("events-value", EVENT);
            SchemaRegistry registry = registry(config(server.url(), Map.of()), new Clock());
            for (int i = 0; i < 100; i++) {
                assertThat(registry.schemaById(id)).isEqualTo(EVENT);
            }
            assertThat(server.requests()).containsExactly("GET /schemas/ids/" + id);
        }
    }

    @Test
    void anUnknownIdIsNotFoundAndNotAskedAgainUntilTheNegativeCacheExpires() throws Exception {
        try (TestSchemaRegistry server = new TestSchemaRegistry().start()) {
            Clock clock = new Clock();
            SchemaRegistry registry = registry(config(server.url(), Map.of("negative-cache-ttl", "30s")), clock);
            SchemaRegistryException unknown = catchThrowableOfType(SchemaRegistryException.class, () -> registry.schemaById(42));
            assertThat(unknown.kind()).isEqualTo(Kind.NOT_FOUND);
            assertThat(unknown.getMessage()).contains("schema id 42 not found").contains("40403").contains("127.0.0.1:");
            for (int i = 0; i < 50; i++) {
                assertThatThrownBy(() -> registry.schemaById(42)).isInstanceOf(SchemaRegistryException.class);
            }
            assertThat(server.requestsTo("GET /schemas/ids/42")).as("one request for 51 records").isEqualTo(1);

            // registered later (a producer that registered after writing, or a replica catching up)
            server.register("events-value", EVENT);
            clock.advance(java.time.Duration.ofSeconds(31));
            assertThatThrownBy(() -> registry.schemaById(42)).isInstanceOf(SchemaRegistryException.class);
            assertThat(server.requestsTo("GET /schemas/ids/42")).isEqualTo(2);
            assertThat(registry.schemaById(1)).isEqualTo(EVENT);
        }
    }

    @Test
    void aRegistryThatDoesNotAnswerCostsOneBoundedRequestThenEveryNewIdFailsAtOnceUntilItIsAskedAgain() throws Exception {
        try (TestSchemaRegistry server = new TestSchemaRegistry().start()) {
            int known = server.register("events-value", EVENT);
            Clock clock = new Clock();
            SchemaRegistry registry = registry(config(server.url(),
                    Map.of("connect-timeout", "1s", "request-timeout", "500ms", "negative-cache-ttl", "30s")), clock);
            assertThat(registry.schemaById(known)).isEqualTo(EVENT);

            server.stall();
            SchemaRegistryException silent = catchThrowableOfType(SchemaRegistryException.class, () -> registry.schemaById(7));
            assertThat(silent.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(silent.getMessage()).contains("GET /schemas/ids/7").contains("127.0.0.1:");
            assertThat(registry.isUnavailable()).isTrue();
            for (int id = 8; id < 108; id++) {
                int asked = id;
                assertThat(catchThrowableOfType(SchemaRegistryException.class, () -> registry.schemaById(asked)).kind())
                        .isEqualTo(Kind.UNAVAILABLE);
            }
            assertThat(registry.schemaById(known)).as("a cached id never needs the registry").isEqualTo(EVENT);
            assertThat(server.requests()).as("no request while the registry is remembered as unavailable")
                    .containsExactly("GET /schemas/ids/" + known, "GET /schemas/ids/7");

            server.release();
            clock.advance(java.time.Duration.ofSeconds(31));
            assertThat(registry.isUnavailable()).isFalse();
            int registered = server.register("events-value", DriftAlert.getClassSchema());
            assertThat(registry.schemaById(registered)).isEqualTo(DriftAlert.getClassSchema());
        }
    }

    @Test
    void anUnreachableRegistryIsUnavailableNotAHang() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        SchemaRegistry registry = registry(config(java.net.URI.create("http://127.0.0.1:" + closedPort), Map.of()), new Clock());
        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> registry.schemaById(1));
        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort).contains("connection refused or unreachable");
    }

    @Test
    void tasksAskingForTheSameIdAtOnceShareOneRequest() throws Exception {
        try (TestSchemaRegistry server = new TestSchemaRegistry().start()) {
            int id = server.register("events-value", EVENT);
            SchemaRegistry registry = registry(config(server.url(), Map.of("request-timeout", "30s")), new Clock());
            server.stall();
            List<CompletableFuture<Schema>> tasks = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return registry.schemaById(id);
                    } catch (SchemaRegistryException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            server.release();
            for (CompletableFuture<Schema> t : tasks) {
                assertThat(t.get()).isEqualTo(EVENT);
            }
            assertThat(server.requestsTo("GET /schemas/ids/")).isEqualTo(1);
        }
    }

    @Test
    void basicAuthSendsTheCredentialsFromAFileAndAWrongPasswordNeverShowsInTheError() throws Exception {
        try (TestSchemaRegistry server = TestSchemaRegistry.withBasicAuth("driftwatch", SECRET).start()) {
            int id = server.register("events-value", EVENT);
            Path passwordFile = dir.resolve("registry-password");
            Files.writeString(passwordFile, SECRET + "\n");
            SchemaRegistryConfig good = config(server.url(), Map.of("username", "driftwatch", "password-file", passwordFile.toString()));
            assertThat(registry(good, new Clock()).schemaById(id)).isEqualTo(EVENT);
            assertThat(server.authorizations()).last().asString().startsWith("Basic ");

            SchemaRegistryConfig wrong = config(server.url(), Map.of("username", "driftwatch", "password-env", "REGISTRY_PW"));
            SchemaRegistryClient client = new SchemaRegistryClient(wrong, Map.of("REGISTRY_PW", SECRET + "-old")::get);
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(id));
            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(e.getMessage()).contains("HTTP 401").contains("user name and password")
                    .doesNotContain(SECRET).doesNotContain(java.util.Base64.getEncoder()
                            .encodeToString(("driftwatch:" + SECRET + "-old").getBytes()));
            assertThat(client.toString()).doesNotContain(SECRET);

            assertThatThrownBy(() -> new SchemaRegistryClient(wrong, Map.<String, String>of()::get))
                    .hasMessage("kafka.schema-registry.password-env: environment variable REGISTRY_PW is not set or empty on this task manager");
        }
    }

    @Test
    void trustsTheRegistrysCertificateOnlyThroughTheConfiguredTrustStore() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir, "registry");
        try (TestSchemaRegistry server = TestSchemaRegistry.withTls(certificates.serverContext()).start()) {
            int id = server.register("events-value", EVENT);
            SchemaRegistryConfig trusted = config(server.url(), Map.of("trust-store-path", certificates.trustStore().toString(),
                    "trust-store-password-env", "TRUST_PW"));
            SchemaRegistryClient client = new SchemaRegistryClient(trusted, Map.of("TRUST_PW", TestCertificates.STORE_PASSWORD)::get);
            assertThat(client.schemaById(id)).isEqualTo(EVENT);

            SchemaRegistryClient jvmTrust = new SchemaRegistryClient(config(server.url(), Map.of()), Map.<String, String>of()::get);
            assertThat(catchThrowableOfType(SchemaRegistryException.class, () -> jvmTrust.schemaById(id)).kind())
                    .isEqualTo(Kind.UNAVAILABLE);
        }
    }

    @Test
    void aSchemaThatIsNotAvroIsInvalidForGood() throws Exception {
        try (TestSchemaRegistry server = new TestSchemaRegistry().start()) {
            int proto = server.putForeign("PROTOBUF", "syntax = \"proto3\"; message Inference { string id = 1; }");
            Clock clock = new Clock();
            SchemaRegistry registry = registry(config(server.url(), Map.of()), clock);
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> registry.schemaById(proto));
            assertThat(e.kind()).isEqualTo(Kind.INVALID_SCHEMA);
            assertThat(e.getMessage()).isEqualTo("schema id " + proto + " is a PROTOBUF schema, not Avro");
            clock.advance(java.time.Duration.ofDays(1));
            assertThatThrownBy(() -> registry.schemaById(proto)).isInstanceOf(SchemaRegistryException.class);
            assertThat(server.requestsTo("GET /schemas/ids/")).as("an id never changes its schema").isEqualTo(1);
        }
    }

    @Test
    void anOutputSchemaIsRegisteredUnderItsSubjectOrOnlyLookedUpWhenAutoRegisterIsOff() throws Exception {
        try (TestSchemaRegistry server = new TestSchemaRegistry().start()) {
            Schema alert = DriftAlert.getClassSchema();
            SchemaRegistry registering = registry(config(server.url(), Map.of()), new Clock());
            int id = registering.idFor("drift-alerts-value", alert);
            assertThat(registering.idFor("drift-alerts-value", alert)).isEqualTo(id);
            assertThat(server.subjectIds("drift-alerts-value")).containsExactly(id);
            assertThat(server.requests()).containsExactly("POST /subjects/drift-alerts-value/versions");

            SchemaRegistry lookingUp = registry(config(server.url(), Map.of("auto-register", "false")), new Clock());
            assertThat(lookingUp.idFor("drift-alerts-value", alert)).isEqualTo(id);
            SchemaRegistryException missing = catchThrowableOfType(SchemaRegistryException.class,
                    () -> lookingUp.idFor("driftwatch-results-value", alert));
            assertThat(missing.kind()).isEqualTo(Kind.NOT_FOUND);
            assertThat(missing.getMessage()).contains("subject driftwatch-results-value").contains("40401");
            assertThat(server.subjectIds("driftwatch-results-value")).isEmpty();
        }
    }
}
